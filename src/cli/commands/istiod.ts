// `envoyscope istiod debug <path>`: the raw JSON of any istiod debug endpoint, for jq.
import { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import type { CliContext } from '../context.ts';
import { withExamples } from '../help.ts';
import { ISTIOD_OPTIONS, istiodOptions } from './istiodOptions.ts';

export function istiodCommand(ctx: CliContext): Command {
  const istiod = new Command('istiod').summary("istiod's own debug data").description('Ask the istiod replicas of the mesh for their debug data.');
  const debug = new Command('debug')
    .summary('print the JSON of an istiod debug endpoint (syncz, configz, registryz, adsz, connections, push_status, …)')
    .description(
      'Prints /debug/<path> of every istiod replica, pretty: the answer itself with one replica, an object keyed by istiod pod with several.\n' +
        'With --proxy, only the replica that holds the proxy answers, with ?proxyID=<pod>.<namespace> added.',
    )
    .argument('<path>', 'debug endpoint: syncz, configz, registryz, adsz, connections, push_status, config_dump, edsz, …')
    .option('--proxy <pod>', 'ask about this proxy (pod, pod.namespace or kind/name)');
  for (const option of ISTIOD_OPTIONS({ labelShortFlag: true })) debug.addOption(option);
  withExamples(debug, ["envoyscope istiod debug syncz | jq 'keys'", 'envoyscope istiod debug config_dump --proxy reviews-v1-cb8655c75-b97zc -n default']);
  debug.action(async (path: string, _flags: unknown, self: Command) => {
    const raw = self.optsWithGlobals() as Record<string, unknown>;
    const { runIstiodDebug } = await import('../istiodDebugRun.ts');
    await runIstiodDebug(debugPath(path), typeof raw['proxy'] === 'string' ? raw['proxy'] : undefined, istiodOptions(raw), ctx);
  });
  istiod.addCommand(debug);
  return withExamples(istiod, ['envoyscope istiod debug connections', 'envoyscope istiod debug push_status --transport http']);
}

/** `syncz`, `/debug/syncz` and `debug/syncz` all name the same endpoint. */
function debugPath(path: string): string {
  const bare = path.replace(/^\/+/, '').replace(/^debug\//, '');
  if (bare === '' || /\s/.test(bare)) throw new UsageError(`"${path}" is not an istiod debug path (e.g. syncz, configz, config_dump)`);
  return bare;
}
