// Runs a CommonJS bundle compiled with a V8 code cache. pmt is one such bundle (dist/pmt-main.cjs,
// made by scripts/bundle.mjs; dist/pmt.cjs, the bin, is this file and a call of runBundle). Node 20
// has no compile cache (module.enableCompileCache comes with Node 22.1), and a short command spends
// most of pmt's own start compiling functions on first call; with the cache their bytecode is read
// instead (pmt -l 166 → 138 ms, a scan −23 ms; see bench/README.md).
//
// Which cache: the one the build recorded next to the bundle (it ran pmt the way it mostly starts),
// unless this user has one of their own, written at the exit of a run that had none V8 would take
// (under another Node than the build's, or other V8 flags). Both are looked up by a hash of the bundle's
// text and the V8 version: V8 itself checks only its version, flags and the source's *length*, and
// runs a stale cache of a same-length text as the old code. The user's cache is read only from a
// directory and file of this user that no one else can write (bytecode is code), and written
// atomically (a temp file renamed), so parallel runs never see half a file.
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { homedir } = require('node:os');
const { basename, dirname, isAbsolute, join } = require('node:path');
const vm = require('node:vm');

/** The V8 version without Node's suffix (`11.3.244.8`): what V8 checks a cache against. */
const V8_VERSION = process.versions.v8.replace(/-.*$/, '').replace(/[^0-9A-Za-z.]/g, '_');

/** `$XDG_CACHE_HOME/pmt/code`, else `~/.cache/pmt/code` (a relative XDG_CACHE_HOME is ignored, as the spec asks). */
function userCacheDir(env) {
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), '.cache');
  return join(base, 'pmt', 'code');
}

/** This user's, and writable by no one else: a cache anyone else could have written is not read. */
function ownedAndPrivate(path) {
  try {
    const stat = fs.statSync(path);
    return typeof process.getuid !== 'function' || (stat.uid === process.getuid() && (stat.mode & 0o022) === 0);
  } catch {
    return false;
  }
}

function readIfPresent(path) {
  try {
    return fs.readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Writes `bytes` to `path` through a temp file renamed into place; false when it cannot (read-only, no HOME…). */
function writeAtomically(path, bytes, mode) {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, bytes, { mode });
    fs.renameSync(temp, path);
    return true;
  } catch {
    fs.rmSync(temp, { force: true });
    return false;
  }
}

/**
 * Compiles and runs the bundle `file` as a CommonJS module and returns its exports and how the code
 * cache served: `shipped` or `user` (V8 took it), `rejected` (V8 refused it) or `none`.
 * `env`: where the user's cache is (XDG_CACHE_HOME, HOME); with PMT_BUILD_WRITE_CODE_CACHE=1 (the
 * build's warm-up runs) the cache next to the bundle is written at exit instead.
 */
function runBundle(file, env = process.env) {
  const bytes = fs.readFileSync(file);
  // The build makes the bundle ASCII-only (esbuild's charset), so latin1 is its exact text, and the cheapest to decode.
  const source = bytes.toString('latin1');
  const name = `${basename(file)}.${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}.v8-${V8_VERSION}.cache`;
  const shippedPath = join(dirname(file), name);
  const userDir = userCacheDir(env);
  const userPath = join(userDir, name);
  // A user's cache exists only where the shipped one did not serve this bundle under this V8 (the
  // name holds both): it comes first, or a shipped cache V8 refuses would be compiled every time.
  let from = 'user';
  let cachedData = ownedAndPrivate(userDir) && ownedAndPrivate(userPath) ? readIfPresent(userPath) : undefined;
  if (cachedData === undefined) {
    from = 'shipped';
    cachedData = readIfPresent(shippedPath);
  }
  const script = new vm.Script(wrap(source), {
    // The file's name without its directory: V8 (11.3) names a script compiled from a cache as the
    // cache was recorded, so a full path would put the build machine's into every stack trace.
    filename: basename(file),
    cachedData,
    // A bundle's own import() (of a module left outside it) through Node's loader; the constant
    // exists from Node 20.12 (pmt runs from 20.3), and without it such an import() would throw.
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const served = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : from;
  if (env.PMT_BUILD_WRITE_CODE_CACHE === '1') {
    // The build's warm-up: each run starts from the previous one's cache, so the last holds them all.
    process.on('exit', () => writeAtomically(shippedPath, script.createCachedData(), 0o644));
  } else if (served === 'none' || served === 'rejected') {
    // At exit the cache holds every function this run compiled: the next run reads them.
    process.on('exit', () => {
      try {
        fs.mkdirSync(userDir, { recursive: true, mode: 0o700 });
      } catch {
        return;
      }
      if (ownedAndPrivate(userDir)) writeAtomically(userPath, script.createCachedData(), 0o600);
    });
  }
  const mod = { exports: {}, id: file, filename: file, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  return { exports: mod.exports, served };
}

module.exports = { runBundle };
