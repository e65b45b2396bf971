/**
 * Characters a terminal may act on instead of showing: control characters (C0 such as ESC, CR,
 * BEL and backspace; DEL; C1 such as U+009B, which some terminals read as CSI), Unicode format
 * characters (bidi overrides such as U+202E, zero-width characters, BOM, soft hyphen), line and
 * paragraph separators, and unpaired surrogates. With them a plugin's stderr could erase pmt's
 * error line (`ESC[2K`, CR), print a fake "ALL GOOD", set the window title (OSC 0), plant links
 * (OSC 8) or reorder what a line seems to say.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * `text` with every such character written as a `\uXXXX` escape (per UTF-16 unit), so that it
 * shows what was sent and does nothing. The one function for everything a plugin, the Docker
 * engine, a PMT server or a scanned repository supplied and pmt prints: failure messages, last
 * words, file names, progress lines, logs, reports. The escapes are JSON's, so applying it to a
 * serialised JSON document keeps it valid and meaning the same (JSON.stringify leaves C1, DEL and
 * format characters raw). Idempotent: the escaped text has nothing left to escape.
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (char) => {
    let escaped = '';
    for (let i = 0; i < char.length; i++) escaped += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return escaped;
  });
}

/** Each line of `text` escaped, the line breaks kept: for multi-line text pmt itself lays out (stack traces). */
export function escapeControlsByLine(text: string): string {
  return text.split('\n').map(escapeControls).join('\n');
}
