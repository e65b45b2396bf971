// Bundles the compiled CLI (dist/cli/main.js) and its libraries into one CommonJS script,
// dist/pmt-main.cjs, which dist/pmt.cjs (`bin`) runs with a V8 code cache the build records here
// (scripts/bundle/code-cache-loader.cjs). pmt starts noticeably faster from one file than from the
// hundreds of modules dockerode, fastify and their dependencies are made of, and faster again with
// its functions' bytecode read instead of compiled: Node 20 caches no compiled code itself. ES
// modules cannot use a code cache on Node 20 (vm.SourceTextModule needs a flag), so the bundle is
// CommonJS; code a command does not run is only read, and compiled when first called.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

// Earlier builds' outputs (ES module chunks, islands, caches) go: nothing stale is left to load or pack.
for (const name of readdirSync('dist')) if (/^pmt.*\.(mjs|cjs|cache|tmp|txt)$/.test(name)) rmSync(`dist/${name}`);

// Modules of dockerode that pmt never or rarely runs, with the big libraries behind them.
// - docker-modem's ssh client (ssh2) is never used: pmt reaches ssh:// engines through the system
//   `ssh` (src/docker/ssh-socket.ts), which checks host keys and reads the user's ssh config; ssh2
//   does neither. It is replaced by a stand-in that refuses, so that unchecked path cannot come back
//   unnoticed.
// - gRPC + protobuf (BuildKit image builds, which pmt does not do) are left out of the bundle and
//   replaced by stand-ins that require the real module from node_modules on first call.
// - dockerode packs a build context given as a directory ({ context, src }) itself: tar-fs (with its
//   own tar-stream 2, bl and readable-stream), .dockerignore matching and gzip. pmt always sends its
//   own tar stream (src/docker/image-build.ts), so they are required on first call only, resolved
//   from dockerode's own place in node_modules (dockerode, a dependency, brings them there): loading
//   them cost every command that talks to the engine ~3 ms.
// `methods`: the module exports an object with these functions; otherwise it exports one function.
const deferred = [
  { importer: /docker-modem[\\/]lib[\\/]modem\.js$/, path: './ssh', real: 'docker-modem/lib/ssh.js', refuse: true },
  { importer: /dockerode[\\/]lib[\\/]docker\.js$/, path: './session', real: 'dockerode/lib/session.js' },
  { importer: /dockerode[\\/]lib[\\/]docker\.js$/, path: './buildkit', real: 'dockerode/lib/buildkit.js' },
  { importer: /dockerode[\\/]lib[\\/]util\.js$/, path: 'tar-fs', real: 'tar-fs', fromDockerode: true, methods: ['pack'] },
  { importer: /dockerode[\\/]lib[\\/]util\.js$/, path: '@balena/dockerignore', real: '@balena/dockerignore', fromDockerode: true },
  { importer: /dockerode[\\/]lib[\\/]util\.js$/, path: 'zlib', real: 'zlib', methods: ['createGzip'] },
];
const REFUSE = "module.exports = function () { throw new Error(\"docker-modem's ssh client is not part of pmt: ssh:// engines go through the system ssh\"); };";
/** The stand-in's source: `require` here is the bundle's own (Node's, for its file). */
function standIn(entry) {
  if (entry.refuse) return REFUSE;
  const name = JSON.stringify(entry.real);
  const target = entry.fromDockerode ? `require.resolve(${name}, { paths: [require.resolve('dockerode')] })` : name;
  const load = `let real; const load = () => (real ??= require(${target}));`;
  if (!entry.methods) return `${load} module.exports = function () { return load().apply(this, arguments); };`;
  const methods = entry.methods.map((name) => `${JSON.stringify(name)}: function () { return load()[${JSON.stringify(name)}].apply(this, arguments); }`);
  return `${load} module.exports = { ${methods.join(', ')} };`;
}
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const deferRarelyUsedModules = {
  name: 'defer-rarely-used-modules',
  setup(esbuild) {
    const paths = new RegExp(`^(${[...new Set(deferred.map((d) => d.path))].map(escapeRegExp).join('|')})$`);
    esbuild.onResolve({ filter: paths }, ({ path, importer }) => {
      const entry = deferred.find((d) => d.path === path && d.importer.test(importer));
      return entry ? { path: entry.real, namespace: 'deferred' } : undefined;
    });
    esbuild.onResolve({ filter: /.*/, namespace: 'deferred' }, ({ path }) => ({ path, external: true }));
    esbuild.onLoad({ filter: /.*/, namespace: 'deferred' }, ({ path }) => ({ contents: standIn(deferred.find((d) => d.real === path)), loader: 'js' }));
  },
};

// docker-modem formats every request's options with util.inspect (showHidden, unlimited depth) for
// its debug log even when that log is off: ~6 ms for the first request of a process (inspect's own
// code compiling) and a little for every later one. Only formatted when DEBUG enables `modem`.
const SENDING = "debug('Sending: %s', util.inspect(options, {";
const quietModemDebug = {
  name: 'quiet-modem-debug',
  setup(esbuild) {
    esbuild.onLoad({ filter: /docker-modem[\\/]lib[\\/]modem\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      // A docker-modem that changed this line fails the build rather than losing the fix unnoticed.
      if (!source.includes(SENDING)) throw new Error(`${path} no longer has the line quiet-modem-debug rewrites: check scripts/bundle.mjs`);
      return { contents: source.replace(SENDING, `debug.enabled && ${SENDING}`), loader: 'js' };
    });
  },
};

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/pmt-main.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Escapes every non-ASCII character in strings (regular expressions are written with \u escapes),
  // and the bundled libraries' license comments go to dist/pmt-main.cjs.LEGAL.txt: the loader reads
  // the text as latin1, its cheapest decoding.
  charset: 'ascii',
  legalComments: 'external',
  // ES module code asks for its own URL (the package root, package.json); the bundle's is its file's.
  define: { 'import.meta.url': '__pmtImportMetaUrl' },
  banner: { js: "var __pmtImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Native add-ons (ssh2's optional speed-ups, were it ever bundled) are never inlined.
  external: ['cpu-features', '*.node'],
  plugins: [deferRarelyUsedModules, quietModemDebug],
  // Less text to read at every start; names stay, so --debug stack traces still read well.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
const bundled = readFileSync('dist/pmt-main.cjs', 'latin1');
if (/[^\x00-\x7f]/.test(bundled)) throw new Error('dist/pmt-main.cjs is not ASCII-only: the loader reads it as latin1; check esbuild\'s charset in scripts/bundle.mjs');
// The entry's `#!` line stays at the top, and the loader compiles the text inside a function wrapper, where it is a syntax error.
writeFileSync('dist/pmt-main.cjs', bundled.replace(/^#!.*\n/, ''), 'latin1');
chmodSync('dist/pmt-main.cjs', 0o644);

// The bin: the loader and its one call, in one file (one read less at every start).
const loader = readFileSync('scripts/bundle/code-cache-loader.cjs', 'utf8');
writeFileSync('dist/pmt.cjs', `#!/usr/bin/env node\n${loader}\nrunBundle(require('node:path').join(__dirname, 'pmt-main.cjs'));\n`);
chmodSync('dist/pmt.cjs', 0o755);

// The code cache: pmt run the way it mostly starts (help, a dry-run scan of the sample, then -l on
// the bundled registry; no engine needed — both say so and go on), in children with Node's default
// flags, each starting from the one before's cache. A build that ends without it fails: a missing
// cache would only show as a slower start.
for (const args of [['--help'], ['scan', '--dry-run', '-i', 'samples/apache-project'], ['-l', '-r', 'plugins.yaml']]) {
  spawnSync(process.execPath, ['dist/pmt.cjs', ...args], {
    env: { ...process.env, NODE_OPTIONS: '', PMT_BUILD_WRITE_CODE_CACHE: '1', DOCKER_HOST: 'unix:///nonexistent/pmt-build.sock' },
    stdio: 'ignore',
  });
}
if (!readdirSync('dist').some((name) => /^pmt-main\.cjs\..*\.cache$/.test(name))) throw new Error('the warm-up runs made no code cache for dist/pmt-main.cjs: check scripts/bundle.mjs');
