/** What a password in a URL is shown as. */
export const PASSWORD_MASK = '****';

// scheme://userinfo@ — the userinfo runs to the last "@" before the host (WHATWG URL parsing), so
// a password holding an unencoded "@" is masked whole.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#\\"'<>]*)@/gi;

/**
 * `text` with the password of every URL in it masked: `http://user:****@host/…`. The one masking
 * function for server URLs (ServerUrl, PMT_SERVER_URL, --server carry Basic auth credentials as
 * `user:pass@`) wherever they are printed: logs, `--json`, `pmt validate`, `--dry-run`, error
 * messages, doctor. The user name stays, to tell which account is used — except in an http(s) URL
 * whose userinfo has no password: there it is often a token (`https://<token>@host`), so it is
 * masked whole. Other schemes (`ssh://root@host`) name a login, not a secret.
 */
export function maskCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (whole, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon !== -1) return `${scheme}${userinfo.slice(0, colon)}:${PASSWORD_MASK}@`;
    return /^https?:\/\/$/i.test(scheme) && userinfo !== '' ? `${scheme}${PASSWORD_MASK}@` : whole;
  });
}
