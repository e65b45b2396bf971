import { extname } from 'node:path';

const byExtension: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.spdx': 'text/plain; charset=utf-8',
  '.tv': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.rdf': 'application/rdf+xml',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
};

/** The Content-Type a result file is sent with, chosen from its extension (`x.spdx.json` is JSON). */
export function contentTypeFor(fileName: string): string {
  return byExtension[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}
