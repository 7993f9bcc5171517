// The connection flags every live command shares (kubectl's, and how to reach Envoy admin), read
// from commander's values once, the same way for pc, pc trace, pc diff, proxy-status and ztunnel-config.
import { Option } from 'commander';
import { choiceOption, definedOnly, parseDuration, parsePort, parsePositiveInteger, textOf } from './flags.ts';
import { DEFAULT_CONCURRENCY, type KubeOptions } from './proxyConfigRun.ts';

/** A command without `--via` or `--concurrency` gets port-forward and the default concurrency. */
export function kubeOptionsFrom(raw: Record<string, unknown>): KubeOptions {
  const text = textOf(raw);
  return {
    timeoutMs: parseDuration(text('timeout') ?? '15s', '--timeout'),
    via: text('via') === 'exec' ? 'exec' : 'port-forward',
    adminPort: parsePort(text('proxyAdminPort') ?? '15000', '--proxy-admin-port'),
    concurrency: parsePositiveInteger(text('concurrency') ?? String(DEFAULT_CONCURRENCY), '--concurrency'),
    verbose: raw['verbose'] === true,
    ...definedOnly({ kubeconfig: text('kubeconfig'), context: text('context'), namespace: text('namespace') }),
  };
}

/** `--via` and `--proxy-admin-port`: how a command reaches Envoy admin in a pod. */
export function adminAccessOptions(): Option[] {
  return [
    choiceOption('--via <transport>', 'how to reach Envoy admin in a pod', ['port-forward', 'exec'], { default: 'port-forward' }),
    new Option('--proxy-admin-port <port>', 'Envoy admin port in the pod').default('15000'),
  ];
}
