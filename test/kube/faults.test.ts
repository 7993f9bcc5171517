// Faults on the way to a live Envoy, provoked in the test cluster over the real wire protocols:
// Envoy resets the connection mid-body, cuts its answer short, answers with something that is not
// JSON, or answers too late; the API server closes the port-forward mid-transfer. Each is one line
// on stderr naming the pod, with its own exit code, and nothing on stdout.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../../src/errors.ts';
import type { EnvoyBehavior } from '../cluster/index.ts';
import { runBin } from '../helpers/bin.ts';
import type { CliResult } from '../helpers/cli.ts';
import { sharedCluster } from '../helpers/sharedCluster.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = { dump: join(ROOT, 'examples', 'reviews-v1.config_dump.json'), clusters: join(ROOT, 'examples', 'reviews-v1.clusters.json') };

const FAULTY = 'reviews-v1-cb8655c75-b97zc';
const HEALTHY = 'reviews-v2-7d8c9f5b6-x2k9p';
const PATH = 'config_dump?mask=dynamic_active_clusters,dynamic_warming_clusters,static_clusters';

const shared = sharedCluster(() => ({
  pods: [
    { name: FAULTY, labels: { app: 'reviews', version: 'v1' }, envoy: EXAMPLE },
    { name: HEALTHY, labels: { app: 'reviews', version: 'v2' }, envoy: EXAMPLE },
  ],
}));

/** Sets the faulty pod's Envoy knobs for the duration of `body`. */
const withEnvoy = <T>(behavior: Partial<EnvoyBehavior>, body: () => Promise<T>): Promise<T> => shared.cluster.pod(FAULTY).envoy!.withBehavior(behavior, body);

function assertOneLine(result: CliResult, code: number, message: RegExp): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^error: [^\n]+\n$/, 'exactly one line');
  assert.match(result.stderr, message);
}

interface Fault {
  name: string;
  behavior: Partial<EnvoyBehavior>;
  /** What follows `…sent a bad answer to GET /<PATH>: `, by the way Envoy is reached. */
  problem: Record<'port-forward' | 'exec' | 'admin-url', RegExp>;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const badAnswer = (source: string) => `^error: the Envoy admin of ${escaped(source)} sent a bad answer to GET /${escaped(PATH)}: `;
const POD_SOURCE = `pod ${FAULTY}.default`;
const sameEverywhere = (problem: RegExp) => ({ 'port-forward': problem, exec: problem, 'admin-url': problem });
// pilot-agent reads Envoy's answer in the pod and says only that it was cut (Go's "unexpected EOF").
const pilotAgentCut = /truncated: pilot-agent read an incomplete answer \(unexpected EOF\)\n$/;

const FAULTS: Fault[] = [
  {
    name: 'Envoy resets the connection mid-body',
    behavior: { reset: true },
    problem: {
      'port-forward': /truncated: the connection closed after \d+ bytes\n$/,
      exec: pilotAgentCut,
      'admin-url': /truncated: the connection closed after \d+ bytes\n$/,
    },
  },
  {
    name: 'Envoy announces a length and sends half of it',
    behavior: { truncate: true },
    problem: {
      'port-forward': /truncated: the connection closed after \d+ of \d+ bytes\n$/,
      exec: pilotAgentCut,
      'admin-url': /truncated: the connection closed after \d+ of \d+ bytes\n$/,
    },
  },
  {
    name: 'Envoy answers with HTML',
    behavior: { body: '<html><body>502 Bad Gateway from a proxy in the way</body></html>' },
    problem: sameEverywhere(/not JSON \(65 bytes, starting "<html><body>502 Bad Gateway from a proxy…"\)\n$/),
  },
  {
    name: 'Envoy answers with JSON cut short, without any sign of it',
    behavior: { body: '{"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.Clus' },
    problem: sameEverywhere(/truncated: the JSON stops after 63 bytes\n$/),
  },
  {
    name: 'Envoy answers with terminal control sequences',
    behavior: { body: '\x1b[2J\rnot\u2028a dump' },
    problem: sameEverywhere(/not JSON \(17 bytes, starting "\\u001b\[2J\\rnot\\u2028a dump"\)\n$/),
  },
];

for (const via of ['port-forward', 'exec'] as const) {
  describe(`via ${via}`, () => {
    for (const fault of FAULTS) {
      test(fault.name, async () => {
        const result = await withEnvoy(fault.behavior, () => shared.live(['pc', 'cluster', FAULTY, '--via', via]));
        assertOneLine(result, ExitCode.ADMIN_BAD_BODY, new RegExp(badAnswer(POD_SOURCE)));
        assert.match(result.stderr, fault.problem[via]);
      });
    }
  });
}

describe('--admin-url', () => {
  for (const fault of FAULTS) {
    test(fault.name, async () => {
      const url = `http://127.0.0.1:${shared.cluster.pod(FAULTY).envoy!.port}`;
      const result = await withEnvoy(fault.behavior, () => shared.live(['pc', 'cluster', '--admin-url', url]));
      assertOneLine(result, ExitCode.ADMIN_BAD_BODY, new RegExp(badAnswer(url)));
      assert.match(result.stderr, fault.problem['admin-url']);
    });
  }
});

test('the API server closes the port-forward mid-transfer', async () => {
  const pod = shared.cluster.pod(FAULTY);
  pod.portForwardCutAfter = 40_000;
  try {
    const result = await shared.live(['pc', 'cluster', FAULTY]);
    assertOneLine(
      result,
      ExitCode.ADMIN_BAD_BODY,
      new RegExp(`${badAnswer(POD_SOURCE)}truncated: the port-forward through the API server broke after \\d+ bytes\\n$`),
    );
  } finally {
    pod.portForwardCutAfter = undefined;
  }
});

test('-l: the faulty pod is named on its own line, the healthy one is shown', async () => {
  const result = await withEnvoy({ reset: true }, () => shared.live(['pc', 'cluster', '-l', 'app=reviews', '--fqdn', 'ratings']));
  assert.equal(result.code, ExitCode.PARTIAL);
  assert.match(result.stdout, new RegExp(`^POD\\s+SERVICE FQDN[^\\n]*\\n${escaped(HEALTHY)}\\.default\\s+ratings`));
  assert.doesNotMatch(result.stdout, new RegExp(escaped(FAULTY)));
  const lines = result.stderr.split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0] ?? '', new RegExp(`${badAnswer(POD_SOURCE)}truncated: the connection closed after \\d+ bytes$`));
  assert.equal(lines[1], 'error: 1 of 2 pods failed (see above)');
});

describe('Envoy answers slower than --timeout: the built binary ends within --timeout + 1 s', () => {
  const timeoutMs = 1000;
  const ends = (argv: string[]) =>
    withEnvoy({ delayMs: 10_000 }, async () => {
      const started = performance.now();
      const result = await runBin([...argv, '--timeout', `${timeoutMs}ms`], { env: shared.env });
      return { ...result, ms: performance.now() - started };
    });

  for (const [label, argv] of [
    ['port-forward', ['pc', 'cluster', FAULTY]],
    ['exec', ['pc', 'cluster', FAULTY, '--via', 'exec']],
    ['--admin-url', ['pc', 'cluster', '--admin-url', 'ADMIN_URL']],
  ] as const) {
    test(label, async () => {
      const url = `http://127.0.0.1:${shared.cluster.pod(FAULTY).envoy!.port}`;
      const result = await ends(argv.map((arg) => (arg === 'ADMIN_URL' ? url : arg)));
      assert.equal(result.code, ExitCode.TIMEOUT, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^error: timed out after 1 s fetching \/config_dump\?mask=[^\n]+ from [^\n]+\n$/);
      assert.ok(result.stderr.includes(label === '--admin-url' ? url : `${FAULTY}.default`), result.stderr);
      assert.ok(result.ms < timeoutMs + 1000, `ended after ${Math.round(result.ms)} ms`);
    });
  }
});
