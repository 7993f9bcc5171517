// Loads a CommonJS script through V8's code cache. The cache is made after the command has run, so it
// holds the functions compiled while running as well as the top level (Node 22's module compile cache
// keeps only the code compiled while loading). V8 refuses a cache made by another V8 or with other
// flags; the file name adds the script's size and mtime because V8 checks only the source's length.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

export interface LoadedScript {
  /** What the script put in `module.exports`. */
  exports: unknown;
  /** Whether a cache was found, and whether V8 took it. */
  cache: 'none' | 'used' | 'rejected';
  /** Writes the code cache when there was none or V8 refused it. Call it after the work is done. */
  saveCache(): void;
}

type CommonJsWrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

/** Runs `file` as Node runs a CommonJS module, with the first usable cache found in `cacheDirs`. */
export function loadWithCodeCache(file: string, cacheDirs: readonly string[]): LoadedScript {
  const source = readFileSync(file, 'utf8');
  const { size, mtimeMs } = statSync(file);
  const suffix = `-${process.version}-${process.arch}.v8cache`;
  const cacheName = `${basename(file)}-${size}-${Math.trunc(mtimeMs)}${suffix}`;
  const cachedData = firstReadable(cacheDirs.map((dir) => join(dir, cacheName)));
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  (script.runInThisContext() as CommonJsWrapper).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  return {
    exports: module.exports,
    cache,
    saveCache() {
      if (cache === 'used') return;
      const data = script.createCachedData();
      for (const dir of cacheDirs) if (writeCache(dir, cacheName, data, (name) => name.startsWith(`${basename(file)}-`) && name.endsWith(suffix))) return;
    },
  };
}

function firstReadable(paths: readonly string[]): Buffer | undefined {
  for (const path of paths) {
    try {
      return readFileSync(path);
    } catch {
      // not there (yet): the next place, or no cache
    }
  }
  return undefined;
}

/**
 * Writes atomically (other envoyscope processes may be reading), then removes the caches of earlier
 * builds for the same Node. False when `dir` is not writable: a cache only saves time.
 */
function writeCache(dir: string, name: string, data: Buffer, sameKind: (name: string) => boolean): boolean {
  const path = join(dir, name);
  const partial = `${path}.${process.pid}.partial`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(partial, data);
    renameSync(partial, path);
    for (const other of readdirSync(dir)) if (other !== name && sameKind(other)) rmSync(join(dir, other), { force: true });
    return true;
  } catch {
    try {
      rmSync(partial, { force: true });
    } catch {
      // `dir` itself is unusable: nothing was written
    }
    return false;
  }
}
