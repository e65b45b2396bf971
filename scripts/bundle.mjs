// Bundles the compiled CLI (dist/cli/main.js) into dist/pmt.mjs, which `bin` points at, plus chunks.
// pmt starts noticeably faster from one file than from the hundreds of modules dockerode, fastify
// and their dependencies are made of (module resolution and loading dominate a short command).
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: drop the previous build's so they don't pile up.
for (const name of readdirSync('dist')) if (/^pmt-.*\.mjs$/.test(name)) rmSync(`dist/${name}`);

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
  entryPoints: { pmt: 'dist/cli/main.js' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // Code only a scan needs (the engine, Fastify) goes into chunks loaded on first use.
  splitting: true,
  // Next to pmt.mjs: relative paths (../package.json) mean the same from every chunk.
  chunkNames: 'pmt-[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Optional native speed-ups of ssh2: loaded when present, skipped otherwise, as without a bundle.
  external: ['cpu-features', '*.node'],
  banner: { js: banner },
  // Less text to parse at every start; names stay, so --debug stack traces still read well.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
