// -l's machinery without a cluster: at most --concurrency pods in flight, every one reported as it
// settles, and the progress line a terminal gets when that takes a while.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fanOutProgress } from '../../src/cli/progress.ts';
import { settleEach } from '../../src/kube/fanOut.ts';
import { testStreams } from '../../src/io/streams.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('settleEach keeps at most `limit` items in flight and reports each one as it settles', async () => {
  let inFlight = 0;
  let most = 0;
  const settled: string[] = [];
  const results = await settleEach(
    Array.from({ length: 10 }, (_, index) => index),
    3,
    async (item) => {
      most = Math.max(most, ++inFlight);
      await tick(item % 4);
      inFlight--;
      if (item === 5) throw new Error('pod 5 failed');
      return item * 10;
    },
    (count, total) => settled.push(`${count}/${total}`),
  );
  assert.equal(most, 3);
  assert.deepEqual(
    settled,
    Array.from({ length: 10 }, (_, index) => `${index + 1}/10`),
  );
  assert.deepEqual(
    results.map((result) => (result.ok ? result.value : (result.error as Error).message)),
    [0, 10, 20, 30, 40, 'pod 5 failed', 60, 70, 80, 90],
  );
});

test('the progress line appears on a terminal only after the delay, is redrawn in place, and is erased at the end', async () => {
  const io = testStreams();
  const progress = fanOutProgress(Object.assign(io.err, { isTTY: true }), 3, 20);
  progress.settled(1);
  await tick(40);
  progress.settled(2);
  progress.settled(3);
  progress.end();
  await tick(0);
  assert.equal(io.stderr(), '\r\x1b[Kfetching from pods: 1/3\r\x1b[Kfetching from pods: 2/3\r\x1b[Kfetching from pods: 3/3\r\x1b[K');
});

test('no progress line when the fan-out ends before the delay, or on a pipe', async () => {
  const quick = testStreams();
  const early = fanOutProgress(Object.assign(quick.err, { isTTY: true }), 2, 50);
  early.settled(1);
  early.settled(2);
  early.end();
  const piped = testStreams();
  const onPipe = fanOutProgress(piped.err, 2, 0);
  await tick(10);
  onPipe.settled(2);
  onPipe.end();
  await tick(60);
  assert.equal(quick.stderr(), '');
  assert.equal(piped.stderr(), '');
});
