/** The PMT server sink: probe the server, upload result files. */
export { probeServer, type ProbeOptions, type ProbeResult } from './pmt-server-probe.js';
export { uploadResult, uploadResults } from './pmt-server-upload.js';
export type {
  Sleep,
  UploadAttemptInfo,
  UploadItem,
  UploadOptions,
  UploadOutcome,
  UploadStatus,
} from './pmt-server-types.js';
export { contentTypeFor } from './content-type.js';
export { parseServerUrl } from './pmt-server-url.js';
