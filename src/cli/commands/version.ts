// `envoyscope version`: the client's version and, given a proxy (pod, -f, -l, --admin-url), the
// Istio and Envoy versions that proxy's bootstrap reports (kubectl version's client/server habit).
import { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { EXAMPLE_DUMP, EXAMPLE_POD, withExamples } from '../help.ts';
import { runProxyConfig } from '../proxyConfigRun.ts';
import { addSourceOptions, toOptions } from './proxyConfig.ts';

export function versionCommand(ctx: CliContext, version: string): Command {
  const command = addSourceOptions(
    new Command('version')
      .summary('print the envoyscope version, and with a proxy its Istio and Envoy versions')
      .description('Print the envoyscope version; given a pod (or -f, -l, --admin-url, --waypoint), also the Istio and Envoy versions of that proxy.'),
  );
  command.action(async (target: string | undefined, _flags: unknown, self: Command) => {
    ctx.io.out.write(`envoyscope version: ${version}\n`);
    const raw = self.optsWithGlobals();
    const hasProxy = target !== undefined || ['file', 'selector', 'adminUrl', 'waypoint'].some((key) => raw[key] !== undefined);
    if (hasProxy) await runProxyConfig(toOptions('bootstrap', target, { ...raw, output: 'short' }), ctx);
  });
  return withExamples(command, ['envoyscope version', `envoyscope version ${EXAMPLE_POD}`, `envoyscope version -f ${EXAMPLE_DUMP}`]);
}
