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

// Modules of dockerode that pmt rarely or never runs, with the big libraries behind them: ssh2
// (ssh:// engines only) and gRPC + protobuf (BuildKit image builds, which pmt does not do). Bundled,
// they were two thirds of dist/pmt.mjs and ~40 ms of every start. Each is left out of the bundle and
// replaced by a stand-in that requires the real module from node_modules on first call, so an
// ssh:// engine still works exactly as before.
const deferred = [
  { importer: /docker-modem[\\/]lib[\\/]modem\.js$/, path: './ssh', real: 'docker-modem/lib/ssh.js' },
  { importer: /dockerode[\\/]lib[\\/]docker\.js$/, path: './session', real: 'dockerode/lib/session.js' },
  { importer: /dockerode[\\/]lib[\\/]docker\.js$/, path: './buildkit', real: 'dockerode/lib/buildkit.js' },
];
const deferRarelyUsedModules = {
  name: 'defer-rarely-used-modules',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\/(ssh|session|buildkit)$/ }, ({ path, importer }) => {
      const entry = deferred.find((d) => d.path === path && d.importer.test(importer));
      return entry ? { path: entry.real, namespace: 'deferred' } : undefined;
    });
    esbuild.onResolve({ filter: /.*/, namespace: 'deferred' }, ({ path }) => ({ path, external: true }));
    esbuild.onLoad({ filter: /.*/, namespace: 'deferred' }, ({ path }) => ({
      // Every deferred module exports one function; `require` here is the banner's real one.
      contents: `let real; module.exports = function () { real ??= require(${JSON.stringify(path)}); return real.apply(this, arguments); };`,
      loader: 'js',
    }));
  },
};

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
  plugins: [deferRarelyUsedModules],
  // Less text to parse at every start; names stay, so --debug stack traces still read well.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
