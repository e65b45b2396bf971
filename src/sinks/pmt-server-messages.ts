/** How a network failure reads in an outcome, and whether another attempt may succeed. */
export interface NetworkFailure {
  message: string;
  transient: boolean;
}

const networkFailures: Readonly<Record<string, NetworkFailure>> = {
  ECONNREFUSED: { message: 'connection refused', transient: true },
  ECONNRESET: { message: 'connection reset', transient: true },
  EPIPE: { message: 'connection closed while sending', transient: true },
  ETIMEDOUT: { message: 'connection timed out', transient: true },
  EHOSTUNREACH: { message: 'host unreachable', transient: true },
  ENETUNREACH: { message: 'network unreachable', transient: true },
  EAI_AGAIN: { message: 'name lookup failed temporarily', transient: true },
  // A wrong host name does not fix itself within seconds.
  ENOTFOUND: { message: 'host not found', transient: false },
};

export function describeNetworkError(error: NodeJS.ErrnoException): NetworkFailure {
  if (error.code === 'PMT_TIMEOUT') return { message: error.message, transient: true };
  // The server closed the connection without answering (crash, restart, proxy dropping it).
  if (error.code === 'ECONNRESET' && error.message === 'socket hang up') {
    return { message: 'connection closed without an answer', transient: true };
  }
  const known = error.code === undefined ? undefined : networkFailures[error.code];
  // Anything else (TLS certificate problems, malformed responses) is not cured by waiting.
  return known ?? { message: error.code === undefined ? error.message : `${error.message} (${error.code})`, transient: false };
}

const maxMessageChars = 200;

/**
 * The server's own words from a response body: the `message`/`error` of a JSON object, else the first
 * non-empty line; trimmed to about 200 characters.
 */
export function serverMessage(body: string): string {
  const text = body.trim();
  let message = text.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) {
        const record = parsed as Record<string, unknown>;
        const found = [record.message, record.error].find((v): v is string => typeof v === 'string' && v.trim() !== '');
        if (found !== undefined) message = found.trim().split(/\r?\n/, 1)[0] ?? '';
      }
    } catch {
      // Not JSON after all: the first line it is.
    }
  }
  return message.length > maxMessageChars ? `${message.slice(0, maxMessageChars - 1)}…` : message;
}

/** `PMT server answered 400 Bad Request: unsupported SPDX version` */
export function httpFailureMessage(status: number, statusText: string, body: string): string {
  const said = serverMessage(body);
  const head = `PMT server answered ${status}${statusText === '' ? '' : ` ${statusText}`}`;
  return said === '' ? head : `${head}: ${said}`;
}
