// Parsing of flag values shared by the commands. Each parser throws UsageError with a one-line reason.
import { UsageError } from '../errors.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../render/output.ts';
import { quoted } from '../util/printable.ts';

export function parseOutput(value: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((f) => f === value);
  if (!format) {
    throw new UsageError(`output format ${quoted(value)} not supported (use one of: ${OUTPUT_FORMATS.join(', ')})`);
  }
  return format;
}

/** A TCP port 1–65535. */
export function parsePort(value: string, flag: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${flag} ${quoted(value)} is not a port number in the range 1..65535`);
  }
  return port;
}

/** A count of at least 1, such as `--concurrency`. */
export function parsePositiveInteger(value: string, flag: string): number {
  const count = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(count) || count < 1) throw new UsageError(`${flag} ${quoted(value)} is not a positive integer (e.g. 8)`);
  return count;
}

/** A duration like kubectl's: `15s`, `500ms`, `1m`, or a bare number of seconds. */
export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} ${quoted(value)} is not a duration (e.g. 15s, 500ms, 1m)`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = unit === 'ms' ? amount : unit === 'm' ? amount * 60_000 : amount * 1000;
  if (ms <= 0) throw new UsageError(`${flag} must be greater than zero`);
  return ms;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 2 ** 10, m: 1e6, mb: 1e6, mib: 2 ** 20, g: 1e9, gb: 1e9, gib: 2 ** 30, t: 1e12, tb: 1e12, tib: 2 ** 40 };

/** A size in bytes: `8GiB`, `500MB`, `64k`, or a bare number of bytes. */
export function parseSize(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match ? SIZE_UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new UsageError(`${flag} ${quoted(value)} is not a size (e.g. 8GiB, 500MB, 64KiB)`);
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes <= 0) throw new UsageError(`${flag} must be greater than zero`);
  return bytes;
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
