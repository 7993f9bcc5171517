// Runs `proxy-status`: the mesh view (every replica's syncz, merged) or one pod's config diff.
import { DataError } from '../errors.ts';
import { parseJsonInput } from '../envoy/input.ts';
import { answerInNamespace, answersJson, answersYaml, subscribedTable, typesTable } from '../istiod/statusView.ts';
import { decodeSyncz, decodeSynczDocument, mergeAnswers, type SyncAnswer } from '../istiod/syncz.ts';
import { readInput } from '../source/file.ts';
import type { IstiodCliOptions } from './commands/istiodOptions.ts';
import type { CliContext } from './context.ts';
import type { KubeOptions } from './proxyConfigRun.ts';

export interface ProxyStatusOptions {
  pod?: string;
  file?: string;
  types: boolean;
  output: 'short' | 'json' | 'yaml';
  exitCode: boolean;
  istiod: IstiodCliOptions;
  /** With a pod: how to reach its Envoy admin (--via, --proxy-admin-port). */
  envoyAdmin: Pick<KubeOptions, 'via' | 'adminPort'>;
}

export async function runProxyStatus(options: ProxyStatusOptions, ctx: CliContext): Promise<void> {
  if (options.pod !== undefined) {
    const { runSyncDiff } = await import('./syncDiffRun.ts');
    await runSyncDiff(options, options.pod, ctx);
    return;
  }
  const answers = options.file !== undefined ? await savedAnswers(options.file, ctx) : await liveAnswers(options, ctx);
  ctx.io.out.write(showAnswers(answers, options, ctx.now()));
  // A replica that failed leaves its proxies out: the table is shown, and the exit code says it is incomplete.
  if ('partial' in answers && answers.partial) throw answers.partial;
}

async function savedAnswers(path: string, ctx: CliContext): Promise<SyncAnswer[]> {
  const input = await readInput(path, ctx.io);
  return decodeSynczDocument(parseJsonInput(input.bytes, input.name), input.name);
}

async function liveAnswers(options: ProxyStatusOptions, ctx: CliContext): Promise<SyncAnswer[] & { partial?: Error }> {
  const { openIstiod } = await import('../istiod/live.ts');
  const istiod = await openIstiod(options.istiod, ctx);
  try {
    const answers = await istiod.askAll('syncz');
    const decoded: SyncAnswer[] & { partial?: Error } = answers.map(({ replica, json }) => {
      try {
        return decodeSyncz(json, `istiod ${replica}`, replica);
      } catch (error) {
        if (error instanceof DataError) throw new DataError(`the syncz answer of istiod ${replica}`, error.problem);
        throw error;
      }
    });
    if (answers.partial) decoded.partial = answers.partial;
    return decoded;
  } finally {
    await istiod.close();
  }
}

/** The view the options ask for, from the same decoded answers. */
export function showAnswers(all: readonly SyncAnswer[], options: Pick<ProxyStatusOptions, 'types' | 'output' | 'istiod'>, now: Date): string {
  const { namespace } = options.istiod;
  const answers = namespace === undefined ? all : all.map((answer) => answerInNamespace(answer, namespace));
  if (options.output === 'json') return answersJson(answers);
  if (options.output === 'yaml') return answersYaml(answers);
  const proxies = mergeAnswers(answers);
  return options.types ? subscribedTable(proxies) : typesTable(proxies, now);
}
