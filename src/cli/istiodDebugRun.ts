// Runs `istiod debug`: ask, then print JSON re-indented (text as it came), keyed by replica when several answered.
import type { IstiodCliOptions } from './commands/istiodOptions.ts';
import type { CliContext } from './context.ts';
import { openIstiod, type ReplicaAnswer } from '../istiod/live.ts';
import { podLabel } from '../kube/errors.ts';

export async function runIstiodDebug(path: string, proxy: string | undefined, options: IstiodCliOptions, ctx: CliContext): Promise<void> {
  const istiod = await openIstiod(options, ctx);
  try {
    if (proxy !== undefined) {
      const [pod] = await istiod.session.resolveTargets({ target: proxy });
      if (!pod) return;
      ctx.io.out.write(pretty(answerValue(await istiod.askForProxy(path, podLabel(pod)))));
      return;
    }
    const answers = await istiod.askAll(path);
    const [only] = answers;
    ctx.io.out.write(pretty(istiod.replicas.length === 1 && only ? answerValue(only) : Object.fromEntries(answers.map((a) => [a.replica, answerValue(a)]))));
    if (answers.partial) throw answers.partial;
  } finally {
    await istiod.close();
  }
}

const answerValue = (answer: ReplicaAnswer): unknown => answer.json ?? answer.text;

function pretty(value: unknown): string {
  return typeof value === 'string' ? (value.endsWith('\n') ? value : `${value}\n`) : `${JSON.stringify(value, null, 2)}\n`;
}
