// Bundles the compiled CLI (dist/cli/main.js) into dist/pmt.mjs, which `bin` points at, plus chunks.
// pmt starts noticeably faster from one file than from the hundreds of modules dockerode, fastify
// and their dependencies are made of (module resolution and loading dominate a short command).
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Chunk names carry content hashes: drop the previous build's so they don't pile up.
for (const name of readdirSync('dist')) if (/^pmt-.*\.(mjs|cjs|cache)$/.test(name)) rmSync(`dist/${name}`);

// Bundled CommonJS code still uses require, __dirname and __filename; ESM has none of them.
const banner = [
  "import { createRequire as __pmtCreateRequire } from 'node:module';",
  "import { fileURLToPath as __pmtFileURLToPath } from 'node:url';",
  "import { dirname as __pmtDirname } from 'node:path';",
  'const require = __pmtCreateRequire(import.meta.url);',
  'const __filename = __pmtFileURLToPath(import.meta.url);',
  'const __dirname = __pmtDirname(__filename);',
].join(' ');

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
/** The stand-in's source: `require` here is the banner's real one. */
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

// Libraries every command starts with, each bundled on its own as CommonJS ("islands") and loaded
// through scripts/bundle/island-loader.cjs with a V8 code cache; pmt's own code stays ES modules.
const ISLANDS = ['yaml', 'semver', 'commander', 'dockerode'];
const islandName = (pkg) => pkg.replace(/[^a-z0-9]+/g, '-');
const LOADER = fileURLToPath(new URL('./bundle/island-loader.cjs', import.meta.url));
const islands = {
  name: 'islands',
  setup(esbuild) {
    const filter = new RegExp(`^(${ISLANDS.map(escapeRegExp).join('|')})$`);
    // Only pmt's own modules' imports: inside an island a package is bundled as usual.
    esbuild.onResolve({ filter }, ({ path, importer }) => (importer.includes(`${sep}node_modules${sep}`) ? undefined : { path, namespace: 'island' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'island' }, ({ path }) => ({
      // `__dirname` is the banner's: the directory of the chunk, where the islands are too.
      contents: `module.exports = require(${JSON.stringify(LOADER)}).loadIsland(${JSON.stringify(islandName(path))}, __dirname);`,
      loader: 'js',
      resolveDir: dirname(LOADER),
    }));
  },
};

for (const pkg of ISLANDS) {
  await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: process.cwd(), loader: 'js' },
    outfile: `dist/pmt-island-${islandName(pkg)}.cjs`,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['cpu-features', '*.node'],
    plugins: [deferRarelyUsedModules, quietModemDebug],
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
}

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
  // Native add-ons (ssh2's optional speed-ups, were it ever bundled) are never inlined.
  external: ['cpu-features', '*.node'],
  banner: { js: banner },
  plugins: [islands, deferRarelyUsedModules, quietModemDebug],
  // Less text to parse at every start; names stay, so --debug stack traces still read well.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});

// The islands' code caches: pmt run the way it mostly starts (help, a dry-run scan of the sample,
// then -l on the bundled registry; no engine needed — both say so and go on), in a child with
// Node's default flags. A build
// that ends without them fails: a missing cache would only show as a slower start.
for (const args of [['--help'], ['scan', '--dry-run', '-i', 'samples/apache-project'], ['-l', '-r', 'plugins.yaml']]) {
  spawnSync(process.execPath, ['dist/pmt.mjs', ...args], {
    env: { ...process.env, NODE_OPTIONS: '', PMT_BUILD_WRITE_ISLAND_CACHES: '1', DOCKER_HOST: 'unix:///nonexistent/pmt-build.sock' },
    stdio: 'ignore',
  });
}
const caches = readdirSync('dist').filter((name) => /^pmt-island-.*\.cache$/.test(name));
const uncached = ISLANDS.map(islandName).filter((name) => !caches.some((cache) => cache.startsWith(`pmt-island-${name}.cjs.`)));
if (uncached.length > 0) throw new Error(`the warm-up run made no code cache for the island(s) ${uncached.join(', ')}: check scripts/bundle.mjs`);
