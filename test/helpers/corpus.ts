// Locates the shared conformance corpus (../shared/corpus beside the project). Tests read it in
// place and skip, saying why, when it is absent.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// ENVOYSCOPE_TEST_CORPUS points elsewhere (the test runner's own test uses a missing path to check
// that absent-corpus skips are counted).
const candidate = process.env['ENVOYSCOPE_TEST_CORPUS'] ?? fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

/** Absolute path of the corpus directory, or undefined when ../shared is not there. */
export const corpusDir: string | undefined = existsSync(candidate) ? candidate : undefined;

export const CORPUS_MISSING = '../shared/corpus not found beside the project; corpus tests skipped';

/** The reason to give `test(…, { skip })` when the corpus is absent, else false. */
export const skipWithoutCorpus: string | false = corpusDir ? false : CORPUS_MISSING;

export function corpusPath(...parts: string[]): string {
  if (!corpusDir) throw new Error(CORPUS_MISSING);
  return join(corpusDir, ...parts);
}

/** Every file below a corpus folder, recursively, sorted. */
export function corpusFiles(...parts: string[]): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [path];
      });
  return walk(corpusPath(...parts));
}
