// Colour conventions (NO_COLOR only when non-empty, FORCE_COLOR, --color) and trailing spaces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { colorModeOf } from '../src/cli/flags.ts';
import { colorEnabled } from '../src/io/streams.ts';
import { runBinSync } from './helpers/bin.ts';
import { runCli } from './helpers/cli.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = `${root}examples/reviews-v1.config_dump.json`;
const BOLD = '\u001b[1m';

test('colour: --color first, then FORCE_COLOR, then a non-empty NO_COLOR, TERM=dumb, and the terminal', () => {
  assert.equal(colorEnabled('auto', {}, true), true);
  assert.equal(colorEnabled('auto', {}, false), false);
  assert.equal(colorEnabled('auto', { NO_COLOR: '' }, true), true, 'an empty NO_COLOR is not set');
  assert.equal(colorEnabled('auto', { NO_COLOR: '1' }, true), false);
  assert.equal(colorEnabled('auto', { TERM: 'dumb' }, true), false);
  assert.equal(colorEnabled('auto', { FORCE_COLOR: '1' }, false), true);
  assert.equal(colorEnabled('auto', { FORCE_COLOR: '' }, false), true);
  assert.equal(colorEnabled('auto', { FORCE_COLOR: '0' }, true), false);
  assert.equal(colorEnabled('auto', { FORCE_COLOR: 'false' }, true), false);
  assert.equal(colorEnabled('auto', { FORCE_COLOR: '1', NO_COLOR: '1' }, false), true);
  assert.equal(colorEnabled('always', { NO_COLOR: '1' }, false), true);
  assert.equal(colorEnabled('never', { FORCE_COLOR: '1' }, true), false);
  assert.equal(colorModeOf(['pc', 'l', '--color', 'always']), 'always');
  assert.equal(colorModeOf(['--color=never', 'pc']), 'never');
  assert.equal(colorModeOf(['pc', '--', '--color=never']), 'auto');
});

test('the binary colours its table header only when asked or forced; a bad --color is rejected', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runBinSync(args, { env });
  const cluster = ['pc', 'cluster', '-f', example, '--fqdn', 'reviews'];
  assert.ok(!run(cluster).stdout.includes('\u001b['), 'a pipe gets plain text');
  assert.ok(run([...cluster, '--color', 'always']).stdout.startsWith(BOLD));
  assert.ok(run(cluster, { FORCE_COLOR: '1' }).stdout.startsWith(BOLD));
  assert.ok(!run([...cluster, '--color=never'], { FORCE_COLOR: '1' }).stdout.includes('\u001b['));
  const bad = run([...cluster, '--color', 'sometimes']);
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /--color "sometimes" is not one of: auto, always, never/);
});

test("-o wide tables have no trailing spaces; -o short keeps istioctl's (a row ending in empty cells)", async () => {
  for (const kind of ['listener', 'route', 'cluster', 'endpoint', 'secret', 'ecds', 'all']) {
    const wide = await runCli(['pc', kind, '-f', example, '-o', 'wide']);
    assert.equal(wide.code, 0, `${kind}: ${wide.stderr}`);
    assert.notEqual(wide.stdout, '', kind);
    assert.deepEqual(
      wide.stdout.split('\n').filter((line) => line.endsWith(' ')),
      [],
      kind,
    );
  }
  const short = await runCli(['pc', 'cluster', '-f', example]);
  assert.ok(
    short.stdout.split('\n').some((line) => line.endsWith(' ')),
    'istioctl byte compatibility',
  );
});
