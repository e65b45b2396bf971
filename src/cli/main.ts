#!/usr/bin/env node
import { processIO } from './cli-io.js';
import { runCli } from './program.js';

// The only place that ends the process: every command reports an exit code instead.
const code = await runCli(process.argv.slice(2), processIO());
process.exitCode = code;
