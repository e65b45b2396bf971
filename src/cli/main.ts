#!/usr/bin/env node
import { processIO } from './cli-io.js';
import { runCli } from './program.js';

// A reader that stops early (`pmt -l | head -1`) is not an error of pmt's.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// Deprecation notices of libraries (docker-modem's url.parse for tcp:// and ssh:// engines) are nothing a
// user of pmt can act on; they would only clutter its output.
process.noDeprecation = true;

// The only place that ends the process: every command reports an exit code instead, except that a
// scan interrupted before it started anything on the engine, or interrupted twice, ends at once.
// (No top-level await: the bundle is CommonJS, see scripts/bundle.mjs.)
void runCli(process.argv.slice(2), processIO((now) => process.exit(now))).then((code) => {
  process.exitCode = code;
});
