/** How a secret is shown anywhere pmt prints or records it. */
export const MASKED = '****';

/** Environment names whose values are secrets: never printed, never recorded. */
const SECRET_NAME = /TOKEN|PASS|SECRET|KEY|CREDENTIAL/i;

/** `env` with the value of every secret-looking name replaced by MASKED. Pure. */
export function maskSecretEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, SECRET_NAME.test(name) ? MASKED : value]));
}

/** `text` with every value of a secret-looking name in `env` replaced by MASKED (a plugin may print one in an error). */
export function redactSecrets(text: string, env: Readonly<Record<string, string>>): string {
  let redacted = text;
  for (const [name, value] of Object.entries(env)) {
    if (SECRET_NAME.test(name) && value.length >= 4) redacted = redacted.split(value).join(MASKED);
  }
  return redacted;
}
