// Loads a library "island" of the bundle: a CommonJS bundle of one npm package (dist/pmt-island-*.cjs)
// compiled with the V8 code cache the build made for it by running pmt (`--help`, a dry-run scan,
// `-l`). Node 20 has no compile cache for ES modules (module.enableCompileCache comes with Node
// 22.1), and the libraries pmt needs at every start (yaml, semver, commander, dockerode) spend most
// of their first milliseconds compiling functions on first call; with the cache their bytecode is
// read instead.
// The cache's name carries the V8 version and a hash of the island's text: V8 itself checks only
// its version, flags and the source's length, so a cache never meets a source it was not made
// from. No cache, or one V8 refuses (other flags), only costs the compile it would have saved.
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

/** Every island this process loaded, and whether its code cache served. */
const loaded = [];
// The build's warm-up run keeps each island's script to write its cache at exit.
const WRITE_CACHES = process.env.PMT_BUILD_WRITE_ISLAND_CACHES === '1';

function cachePath(file, source) {
  const v8 = process.versions.v8.replace(/[^0-9A-Za-z.-]/g, '_');
  return `${file}.v8-${v8}.${createHash('sha1').update(source).digest('hex').slice(0, 16)}.cache`;
}

function readCache(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

exports.loadIsland = function loadIsland(name, dir) {
  const file = join(dir, `pmt-island-${name}.cjs`);
  const source = readFileSync(file, 'utf8');
  const cache = cachePath(file, source);
  const cachedData = readCache(cache);
  const script = new vm.Script(wrap(source), {
    filename: file,
    cachedData,
    // An island's own import() (none has one today) through Node's loader; the constant exists from
    // Node 20.12 (pmt runs from 20.3), and without it such an import() would throw.
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {}, id: file, filename: file, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dir);
  module.loaded = true;
  loaded.push({ name, cache, script: WRITE_CACHES ? script : undefined, served: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used' });
  return module.exports;
};

/** Which islands were loaded and how their caches served: `none`, `rejected` or `used`. */
exports.loadedIslands = function loadedIslands() {
  return loaded.map(({ name, served }) => ({ name, served }));
};

// At the warm-up's exit each island's cache holds every function compiled so far. Set anywhere
// else (an installed package's directory may not be writable) a cache that cannot be written is
// left out: the build checks that its caches are there.
if (WRITE_CACHES) {
  process.on('exit', () => {
    for (const { cache, script } of loaded) {
      try {
        writeFileSync(cache, script.createCachedData());
      } catch {
        // not the build's run: nothing to keep
      }
    }
  });
}
