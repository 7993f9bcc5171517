// A node:test reporter that ends the run with one plain line about skipped tests: how many, at
// every nesting level, and how many because ../shared/corpus is absent (such tests give
// test/helpers/corpus.ts's CORPUS_MISSING as their reason). scripts/test.ts adds it, writing to
// stderr. Plain JavaScript: node loads reporters before `--import tsx` takes effect.
const CORPUS_ABSENT = '../shared/corpus not found';

export default async function* skipSummary(source) {
  let skipped = 0;
  let corpus = 0;
  for await (const event of source) {
    const skip = event.data?.skip;
    if ((event.type === 'test:pass' || event.type === 'test:fail') && skip !== undefined && skip !== false) {
      skipped++;
      if (typeof skip === 'string' && skip.startsWith(CORPUS_ABSENT)) corpus++;
    }
  }
  const because = corpus === 0 ? '' : `, ${corpus} of them because ../shared/corpus is absent (put it beside the project to run them)`;
  yield `skipped: ${skipped} test${skipped === 1 ? '' : 's'} (subtests included)${because}\n`;
}
