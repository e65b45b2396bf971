/**
 * Why `name` cannot be a result file name, or undefined when it can. Result names are looked up in
 * `/result` and written to the host as `<plugin>_<name>`, so they must be plain file names: a path
 * or `..` would reach outside both directories.
 */
export function resultNameProblem(name: string): string | undefined {
  if (name === '') return 'a result file name must not be empty';
  if (name.includes('\0')) return 'a result file name must not contain a NUL character';
  if (name === '.' || name === '..') return `"${name}" is not a file name`;
  if (name.includes('/') || name.includes('\\')) return `"${name}" must be a plain file name, not a path`;
  // The REST transport posts results with curl -F, whose syntax gives these characters a meaning.
  if (/[;"\x00-\x1f]/.test(name)) return `"${name}" must not contain ";", '"' or control characters`;
  return undefined;
}
