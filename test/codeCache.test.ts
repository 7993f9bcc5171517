// The launcher's code cache: made once after a run, used by the next process, remade when V8 refuses
// it or the script changes, and written to the next directory when the first is not writable. Each
// load runs in its own process: within one, V8 would reuse its in-memory compilation of the script.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const codeCache = new URL('../src/cli/codeCache.ts', import.meta.url).href;

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'envoyscope-code-cache-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SCRIPT = "const { double } = require('./helper.cjs'); module.exports = { answer: (n) => double(n) + 1, file: __filename };\n";

function writeScript(dir: string, text = SCRIPT): string {
  writeFileSync(join(dir, 'helper.cjs'), 'exports.double = (n) => n * 2;\n');
  const file = join(dir, 'script.cjs');
  writeFileSync(file, text);
  return file;
}

/** Loads `file` in a new process, saves the cache, and returns what the script answered and the cache state. */
function load(file: string, cacheDirs: string[]): { answer: number; file: string; cache: string } {
  const code = `
    const { loadWithCodeCache } = await import(${JSON.stringify(codeCache)});
    const loaded = loadWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cacheDirs)});
    loaded.saveCache();
    process.stdout.write(JSON.stringify({ answer: loaded.exports.answer(20), file: loaded.exports.file, cache: loaded.cache }));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { answer: number; file: string; cache: string };
}

test('a script runs as a CommonJS module; its cache is written after the run and used by the next process', () => {
  withDir((dir) => {
    const file = writeScript(dir);
    const cacheDir = join(dir, 'cache');
    assert.deepEqual(load(file, [cacheDir]), { answer: 41, file, cache: 'none' });
    const [name = '', ...others] = readdirSync(cacheDir);
    assert.deepEqual(others, []);
    assert.match(name, new RegExp(`^script\\.cjs-${SCRIPT.length}-\\d+-${process.version}-${process.arch}\\.v8cache$`));
    const written = statSync(join(cacheDir, name)).mtimeMs;
    assert.deepEqual(load(file, [cacheDir]), { answer: 41, file, cache: 'used' });
    assert.equal(statSync(join(cacheDir, name)).mtimeMs, written, 'a cache in use is not rewritten');
  });
});

test('a cache V8 refuses is remade; a changed script gets a new cache and the old one is removed', () => {
  withDir((dir) => {
    const file = writeScript(dir);
    const cacheDir = join(dir, 'cache');
    load(file, [cacheDir]);
    const [name = ''] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, name), 'not a code cache');
    assert.equal(load(file, [cacheDir]).cache, 'rejected');
    assert.equal(load(file, [cacheDir]).cache, 'used');

    writeScript(dir, SCRIPT.replace('+ 1', '+ 22'));
    assert.deepEqual(load(file, [cacheDir]), { answer: 62, file, cache: 'none' });
    const [renamed = '', ...others] = readdirSync(cacheDir);
    assert.deepEqual(others, []);
    assert.notEqual(renamed, name);
    assert.equal(load(file, [cacheDir]).cache, 'used');
  });
});

test('an unwritable cache directory is passed over for the next one, and none at all only costs time', () => {
  withDir((dir) => {
    const file = writeScript(dir);
    const plainFile = join(dir, 'plain-file');
    writeFileSync(plainFile, '');
    const unusable = join(plainFile, 'cache');
    const fallback = join(dir, 'fallback');
    assert.equal(load(file, [unusable, fallback]).cache, 'none');
    assert.equal(readdirSync(fallback).length, 1);
    assert.equal(load(file, [unusable, fallback]).cache, 'used');
    assert.deepEqual(load(file, [unusable]), { answer: 41, file, cache: 'none' });
    assert.deepEqual(readdirSync(dir).sort(), ['fallback', 'helper.cjs', 'plain-file', 'script.cjs']);
  });
});
