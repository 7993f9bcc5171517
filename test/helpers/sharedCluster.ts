// One fake cluster for the tests of a file (or of a describe block): started before them, closed
// after them, and a `live` runner whose KUBECONFIG points at it.
import { after, before } from 'node:test';
import { type ClusterScenario, type FakeCluster, startFakeCluster } from '../cluster/index.ts';
import { type CliResult, runCli } from './cli.ts';

export interface SharedCluster {
  /** The running cluster (only inside hooks and tests). */
  readonly cluster: FakeCluster;
  /** An environment whose KUBECONFIG reaches it. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs a command line in-process against it. */
  live(argv: string[]): Promise<CliResult>;
}

export function sharedCluster(scenario: () => ClusterScenario | Promise<ClusterScenario>): SharedCluster {
  let running: FakeCluster | undefined;
  before(async () => {
    running = await startFakeCluster(await scenario());
  });
  after(() => running?.close());
  const started = (): FakeCluster => {
    if (running === undefined) throw new Error('the shared fake cluster is used outside its tests');
    return running;
  };
  return {
    get cluster() {
      return started();
    },
    get env() {
      return { KUBECONFIG: started().kubeconfigPath };
    },
    live: (argv) => runCli(argv, { env: { KUBECONFIG: started().kubeconfigPath } }),
  };
}
