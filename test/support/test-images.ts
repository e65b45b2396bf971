import { fileURLToPath } from 'node:url';

/** Images the tests build from the local base image; nothing is pulled. */
export const TestImages = {
  /** The base image itself: a POSIX shell, coreutils, no curl. */
  shell: 'debian:bookworm-slim',
  /** Base image plus curl, for REST transport plugins. */
  curl: 'pmt-test/curl:1',
} as const;

export const TEST_IMAGE_CONTEXTS: Record<string, string> = {
  [TestImages.curl]: fileURLToPath(new URL('./images/curl/', import.meta.url)),
};

/** Label on every container a test creates outside pmt, so the leak checks can find them too. */
export const TEST_LABEL = 'pmt.test';
