// Runs one `pc` command: load the input, render it, print it.
import { decodeInput } from '../envoy/input.ts';
import { formatRendered, missingAllSections, renderProxyConfig, type PcFilters, type PcKind } from '../render/proxyConfig.ts';
import type { OutputFormat } from '../render/output.ts';
import { readInput } from '../source/file.ts';
import type { CliContext } from './context.ts';

export interface ProxyConfigOptions {
  kind: PcKind;
  target?: string;
  file?: string;
  output: OutputFormat;
  filters: PcFilters;
  detailed: boolean;
  withHeaders: boolean;
}

export async function runProxyConfig(options: ProxyConfigOptions, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  const input = await readInput(options.file ?? '-', io.in);
  const decoded = decodeInput(input.text, input.name);
  const rendered = renderProxyConfig(decoded, {
    kind: options.kind,
    output: options.output,
    filters: options.filters,
    detailed: options.detailed,
    withHeaders: options.withHeaders,
    source: input.name,
    now: ctx.now(),
  });
  io.out.write(formatRendered(rendered));
  if (options.kind === 'all' && options.output === 'short') {
    for (const section of missingAllSections(decoded)) io.err.write(`note: ${input.name} has no ${section} section\n`);
  }
}
