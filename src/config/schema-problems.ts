import type { ErrorObject, SchemaObject } from 'ajv';
import type { Problem } from '../errors.js';
import { closestKey } from './closest-key.js';
import { MESSAGES_KEYWORD } from './messages-keyword.js';
import type { SourceDocument } from './source-document.js';
import { problemAt, withPath, type ValuePath } from './source-location.js';

export { MESSAGES_KEYWORD };

/**
 * A schema's validate function, compiled ahead of time by scripts/generate-validators.mjs into
 * schema-validators.generated.ts (compiling at run time meant loading ajv's compiler at every start).
 * Like ajv's, it leaves the errors of the last call in `errors`.
 */
export interface PrecompiledValidator {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Validates `value` (the document's plain JS form) with `validate`; every error as a positioned problem. */
export function schemaProblems(source: SourceDocument, validate: PrecompiledValidator, value: unknown): Problem[] {
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  // A misspelt required key is one mistake: keep "unknown key … did you mean", drop "missing required key".
  const suggestions = new Map(errors.map((error) => [error, suggestionFor(error)]));
  const suggested = new Set(errors.map((error) => keyAt(error.instancePath, suggestions.get(error))));
  const isMisspelt = (error: ErrorObject): boolean =>
    error.keyword === 'required' && suggested.has(keyAt(error.instancePath, String(param(error, 'missingProperty'))));
  // A value of the wrong type fails its other keywords too (enum, pattern…); the type error says it all.
  const wrongType = new Set(errors.filter((error) => error.keyword === 'type').map((error) => error.instancePath));
  const isConsequence = (error: ErrorObject): boolean => error.keyword !== 'type' && wrongType.has(error.instancePath);
  return errors.filter((error) => !isMisspelt(error) && !isConsequence(error)).map((error) => toProblem(source, error, suggestions.get(error)));
}

const keyAt = (instancePath: string, key: string | undefined): string => `${instancePath}/${key ?? ''}`;

const param = (error: ErrorObject, name: string): unknown => (error.params as Record<string, unknown>)[name];

/** For an unknown-key error, the known key it most likely meant. */
function suggestionFor(error: ErrorObject): string | undefined {
  if (error.keyword !== 'additionalProperties') return undefined;
  return closestKey(String(param(error, 'additionalProperty')), knownKeys(error));
}

function knownKeys(error: ErrorObject): string[] {
  return Object.keys(((error.parentSchema as SchemaObject | undefined)?.properties ?? {}) as object);
}

function toProblem(source: SourceDocument, error: ErrorObject, suggestion: string | undefined): Problem {
  const path = pathOf(error.instancePath);
  const schema = (error.parentSchema ?? {}) as SchemaObject;
  const custom = (schema[MESSAGES_KEYWORD] as Record<string, string> | undefined)?.[error.keyword];
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return problemAt(source, path, withPath(source, path, `missing required key "${String(params.missingProperty)}"`));
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const message = `unknown key "${key}"${suggestion === undefined ? '' : ` — did you mean "${suggestion}"?`}`;
      return problemAt(source, [...path, key], withPath(source, path, message), 'key');
    }
    case 'type':
      return problemAt(
        source,
        path,
        withPath(source, path, `expected ${expectedTypes(String(params.type))}, got ${describeValue(error.data)}`),
      );
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return problemAt(source, path, withPath(source, path, custom ?? `must be one of ${allowed}, not ${JSON.stringify(error.data)}`));
    }
    default:
      return problemAt(source, path, withPath(source, path, custom ?? error.message ?? `fails the "${error.keyword}" check`));
  }
}

/** `/plugins/0/docker_image` → `['plugins', 0, 'docker_image']` (JSON pointer, RFC 6901). */
export function pathOf(instancePath: string): ValuePath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((step) => step.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((step) => (/^\d+$/.test(step) ? Number(step) : step));
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'an empty value',
};

function expectedTypes(types: string): string {
  return types
    .split(',')
    .map((type) => TYPE_NAMES[type] ?? type)
    .join(' or ');
}

/** How a value found in the file is named in messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `a string (${quoteShort(value)})`;
  if (typeof value === 'number') return Number.isInteger(value) ? `an integer (${value})` : `a number (${value})`;
  return String(value);
}

/** A JSON-quoted string, cut to keep messages on one readable line. */
export function quoteShort(value: string, max = 60): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
