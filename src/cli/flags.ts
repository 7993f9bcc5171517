// Parsing of flag values shared by the commands. Each parser throws UsageError with a one-line reason.
import { UsageError } from '../errors.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../render/output.ts';

export function parseOutput(value: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((f) => f === value);
  if (!format) {
    throw new UsageError(`output format "${value}" not supported (use one of: ${OUTPUT_FORMATS.join(', ')})`);
  }
  return format;
}

/** A TCP port 1–65535. */
export function parsePort(value: string, flag: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${flag} "${value}" is not a port number in the range 1..65535`);
  }
  return port;
}

/** A count of at least 1, such as `--concurrency`. */
export function parsePositiveInteger(value: string, flag: string): number {
  const count = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(count) || count < 1) throw new UsageError(`${flag} "${value}" is not a positive integer (e.g. 8)`);
  return count;
}

/** A duration like kubectl's: `15s`, `500ms`, `1m`, or a bare number of seconds. */
export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} "${value}" is not a duration (e.g. 15s, 500ms, 1m)`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = unit === 'ms' ? amount : unit === 'm' ? amount * 60_000 : amount * 1000;
  if (ms <= 0) throw new UsageError(`${flag} must be greater than zero`);
  return ms;
}

/**
 * istioctl spells its table switch `--verbose=false`; envoyscope's own `--verbose` reports fetches
 * on stderr. Rewrite istioctl's spelling to `--summary` so both habits work.
 */
export function translateIstioctlFlags(argv: readonly string[]): string[] {
  return argv.flatMap((arg) => {
    if (arg === '--verbose=false') return ['--summary'];
    if (arg === '--verbose=true') return [];
    return [arg];
  });
}
