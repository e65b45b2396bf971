// Bundles the compiled CLI (dist/cli/main.js) into one file, dist/pmt.mjs, which `bin` points at.
// pmt starts noticeably faster from one file than from the hundreds of modules dockerode, fastify
// and their dependencies are made of (module resolution and loading dominate a short command).
import { build } from 'esbuild';

// Bundled CommonJS code still uses require, __dirname and __filename; ESM has none of them.
const banner = [
  "import { createRequire as __pmtCreateRequire } from 'node:module';",
  "import { fileURLToPath as __pmtFileURLToPath } from 'node:url';",
  "import { dirname as __pmtDirname } from 'node:path';",
  'const require = __pmtCreateRequire(import.meta.url);',
  'const __filename = __pmtFileURLToPath(import.meta.url);',
  'const __dirname = __pmtDirname(__filename);',
].join(' ');

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/pmt.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Optional native speed-ups of ssh2: loaded when present, skipped otherwise, as without a bundle.
  external: ['cpu-features', '*.node'],
  banner: { js: banner },
  logLevel: 'warning',
});
