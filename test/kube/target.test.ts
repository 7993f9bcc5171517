// Pod arguments, workload selectors and kubectl's choice of "the" pod: pure functions.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.ts';
import { settleEach } from '../../src/kube/fanOut.ts';
import { byLogging, parseTarget, type PodJson, selectorString } from '../../src/kube/target.ts';

test('parseTarget: the forms istioctl and kubectl take', () => {
  const cases: [string, ReturnType<typeof parseTarget>][] = [
    ['reviews-v1-5b4f9c8d7-abcde', { kind: 'pod', name: 'reviews-v1-5b4f9c8d7-abcde' }],
    ['reviews-v1-5b4f9c8d7-abcde.bookinfo', { kind: 'pod', name: 'reviews-v1-5b4f9c8d7-abcde', namespace: 'bookinfo' }],
    ['pod/reviews-v1.default', { kind: 'pod', name: 'reviews-v1', namespace: 'default' }],
    ['po/reviews-v1', { kind: 'pod', name: 'reviews-v1' }],
    ['deployment/reviews', { kind: 'deployment', name: 'reviews' }],
    ['deploy/reviews.default', { kind: 'deployment', name: 'reviews', namespace: 'default' }],
    ['deployments.apps/reviews', { kind: 'deployment', name: 'reviews' }],
    ['deployment.v1.apps/reviews', { kind: 'deployment', name: 'reviews' }],
    ['sts/web', { kind: 'statefulset', name: 'web' }],
    ['statefulset/web.db', { kind: 'statefulset', name: 'web', namespace: 'db' }],
    ['ds/node-agent', { kind: 'daemonset', name: 'node-agent' }],
    ['daemonsets/node-agent', { kind: 'daemonset', name: 'node-agent' }],
    ['rs/reviews-v1-5b4f9c8d7', { kind: 'replicaset', name: 'reviews-v1-5b4f9c8d7' }],
    ['svc/ratings', { kind: 'service', name: 'ratings' }],
    ['service/ratings.default', { kind: 'service', name: 'ratings', namespace: 'default' }],
    // The namespace is after the last dot, as in istioctl: a dotted pod name is mis-split the same way.
    ['my.dotted.pod', { kind: 'pod', name: 'my.dotted', namespace: 'pod' }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseTarget(text), expected, text);
});

test('parseTarget: refuses unknown types and empty parts', () => {
  for (const text of ['job/x', 'cronjob/x', 'deploy/', 'reviews.', '.default', 'pod/a/b']) {
    assert.throws(() => parseTarget(text), UsageError, text);
  }
});

test('selectorString: metav1.LabelSelectorAsSelector', () => {
  assert.equal(selectorString({ matchLabels: { app: 'reviews', version: 'v1' } }), 'app=reviews,version=v1');
  assert.equal(
    selectorString({
      matchLabels: { app: 'reviews' },
      matchExpressions: [
        { key: 'version', operator: 'In', values: ['v1', 'v2'] },
        { key: 'tier', operator: 'NotIn', values: ['canary'] },
        { key: 'istio.io/rev', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    }),
    'app=reviews,version in (v1,v2),tier notin (canary),istio.io/rev,!legacy',
  );
  assert.equal(selectorString({}), '');
});

test('byLogging: the pod kubectl picks first', () => {
  const pod = (name: string, options: { node?: string; phase?: string; readySince?: string; restarts?: number; created?: string }): PodJson => ({
    metadata: { name, creationTimestamp: options.created ?? '2024-01-01T00:00:00Z' },
    spec: options.node === undefined ? {} : { nodeName: options.node },
    status: {
      phase: options.phase ?? 'Running',
      conditions: options.readySince ? [{ type: 'Ready', status: 'True', lastTransitionTime: options.readySince }] : [],
      containerStatuses: [{ restartCount: options.restarts ?? 0 }],
    },
  });
  const first = (...pods: PodJson[]) => [...pods].sort(byLogging)[0]?.metadata?.name;
  assert.equal(first(pod('unscheduled', {}), pod('scheduled', { node: 'n1' })), 'scheduled');
  assert.equal(first(pod('pending', { node: 'n1', phase: 'Pending' }), pod('unknown', { node: 'n1', phase: 'Unknown' })), 'unknown');
  assert.equal(first(pod('unknown', { node: 'n1', phase: 'Unknown' }), pod('running', { node: 'n1' })), 'running');
  assert.equal(first(pod('not-ready', { node: 'n1' }), pod('ready', { node: 'n1', readySince: '2024-01-02T00:00:00Z' })), 'ready');
  assert.equal(
    first(pod('ready-later', { node: 'n1', readySince: '2024-01-03T00:00:00Z' }), pod('ready-sooner', { node: 'n1', readySince: '2024-01-02T00:00:00Z' })),
    'ready-sooner',
  );
  assert.equal(first(pod('calm', { node: 'n1' }), pod('restarted', { node: 'n1', restarts: 3 })), 'restarted');
  assert.equal(first(pod('newer', { node: 'n1', created: '2024-02-01T00:00:00Z' }), pod('older', { node: 'n1' })), 'older');
  // Go's zero value: phases missing from kubectl's table rank with Running.
  assert.equal(first(pod('pending', { node: 'n1', phase: 'Pending' }), pod('succeeded', { node: 'n1', phase: 'Succeeded' })), 'succeeded');
});

test('settleEach: bounded concurrency, results in order, failures kept apart', async () => {
  let inFlight = 0;
  let peak = 0;
  const results = await settleEach([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    peak = Math.max(peak, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5 * (8 - n)));
    inFlight--;
    if (n % 3 === 0) throw new Error(`pod ${n} failed`);
    return n * 10;
  });
  assert.equal(peak, 3);
  assert.deepEqual(
    results.map((result) => (result.ok ? result.value : (result.error as Error).message)),
    [10, 20, 'pod 3 failed', 40, 50, 'pod 6 failed', 70],
  );
  assert.deepEqual(await settleEach([], 4, async () => 1), []);
});
