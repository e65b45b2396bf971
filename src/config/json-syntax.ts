/**
 * Strict JSON syntax check that reports where the text stops being JSON. `JSON.parse` knows, but
 * V8 only sometimes puts the offset in its message; and the `yaml` parser (used for positions)
 * accepts YAML-only syntax such as comments, unquoted keys and trailing commas.
 */
export interface JsonSyntaxError {
  readonly offset: number;
  readonly message: string;
}

class Stop extends Error {
  constructor(readonly offset: number, message: string) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_CHARS = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;
const LITERALS = ['true', 'false', 'null'] as const;

/** The first syntax error of `text` as JSON, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let pos = text.startsWith('\uFEFF') ? 1 : 0;

  const describe = (at: number): string => (at >= text.length ? 'end of input' : JSON.stringify(text[at]));
  const fail = (expected: string): never => {
    throw new Stop(pos, `expected ${expected}, found ${describe(pos)}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos] ?? '')) pos++;
  };
  const string = (): void => {
    if (text[pos] !== '"') fail('a double-quoted string');
    STRING_CHARS.lastIndex = pos + 1;
    STRING_CHARS.exec(text);
    pos = STRING_CHARS.lastIndex;
    if (text[pos] === '"') pos++;
    else if (text[pos] === '\\') throw new Stop(pos, 'invalid escape sequence in string');
    else if (pos >= text.length) throw new Stop(pos, 'unterminated string');
    else throw new Stop(pos, 'control character (e.g. a raw newline or tab) in string');
  };
  const sequence = (close: string, item: () => void): void => {
    pos++;
    skipSpace();
    if (text[pos] === close) {
      pos++;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text[pos] === close) {
        pos++;
        return;
      }
      if (text[pos] !== ',') fail(`',' or '${close}'`);
      pos++;
      skipSpace();
      if (text[pos] === close) throw new Stop(pos, `trailing comma before '${close}'`);
    }
  };
  const value = (): void => {
    skipSpace();
    const c = text[pos];
    if (c === '{') {
      sequence('}', () => {
        skipSpace();
        string();
        skipSpace();
        if (text[pos] !== ':') fail("':'");
        pos++;
        value();
      });
    } else if (c === '[') {
      sequence(']', value);
    } else if (c === '"') {
      string();
    } else {
      const literal = LITERALS.find((word) => text.startsWith(word, pos));
      if (literal !== undefined) {
        pos += literal.length;
        return;
      }
      NUMBER.lastIndex = pos;
      if (!NUMBER.test(text)) fail('a JSON value');
      pos = NUMBER.lastIndex;
    }
  };

  try {
    value();
    skipSpace();
    if (pos < text.length) fail('end of input');
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return { offset: error.offset, message: error.message };
    // Only a pathologically deep nesting overflows the stack; no registry or config is like that.
    if (error instanceof RangeError) return { offset: pos, message: 'nesting too deep' };
    throw error;
  }
}
