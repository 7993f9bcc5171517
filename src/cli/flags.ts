// Parsing of flag values shared by the commands. Each parser throws UsageError with a one-line reason.
import { Option } from 'commander';
import { UsageError } from '../errors.ts';
import { COLOR_MODES, type ColorMode } from '../io/streams.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../render/output.ts';
import { quoted } from '../util/printable.ts';

/**
 * A flag that takes one of a fixed list of values. EVERY enumerated flag of every command is built
 * with this helper, so a typo (`--status UNHEALTY`) is rejected before any I/O with one line that
 * lists the accepted values (exit 64) instead of reading as "no results"; help and shell completion
 * list the values from the same list (commander's `argChoices`).
 * `ignoreCase` accepts any spelling and hands the command the listed one.
 */
export function choiceOption(flags: string, description: string, choices: readonly string[], options: { ignoreCase?: boolean; default?: string } = {}): Option {
  const option = new Option(flags, description).choices(choices);
  const flag = option.long ?? option.short ?? flags;
  option.argParser((value: string) => parseChoice(value, flag, choices, options.ignoreCase ?? false));
  if (options.default !== undefined) option.default(options.default);
  return option;
}

/** `value` if it is one of `choices` (the listed spelling of it with ignoreCase), else a UsageError. */
export function parseChoice<T extends string>(value: string, flag: string, choices: readonly T[], ignoreCase = false): T {
  const found = choices.find((choice) => (ignoreCase ? choice.toLowerCase() === value.toLowerCase() : choice === value));
  if (found === undefined) throw new UsageError(`${flag} ${quoted(value)} is not one of: ${choices.join(', ')}`);
  return found;
}

/** `-o`: every command that prints data takes this one; `formats` narrows it for commands with fewer. */
export function outputOption(defaultFormat: OutputFormat = 'short', formats: readonly OutputFormat[] = OUTPUT_FORMATS): Option {
  return choiceOption(
    '-o, --output <format>',
    "short (istioctl's columns), wide (more columns), table (boxed), json, yaml, or raw (Envoy's own snake_case JSON)",
    formats,
    { default: defaultFormat },
  );
}

export function parseOutput(value: string): OutputFormat {
  return parseChoice(value, '--output', OUTPUT_FORMATS);
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

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 2 ** 10,
  m: 1e6,
  mb: 1e6,
  mib: 2 ** 20,
  g: 1e9,
  gb: 1e9,
  gib: 2 ** 30,
  t: 1e12,
  tb: 1e12,
  tib: 2 ** 40,
};

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
 * The command line as commander should see it: kubectl's `-n=default` / `-o=json` (pflag accepts
 * `=` after a short flag; commander would read the value as "=default") become `-n default`, and
 * istioctl's spellings are translated. Nothing after `--` is touched.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  const split = flags.flatMap((arg) => {
    const short = /^(-[a-zA-Z])=(.*)$/s.exec(arg);
    return short ? [short[1] ?? '', short[2] ?? ''] : [arg];
  });
  return [...translateIstioctlFlags(split), ...(end === -1 ? [] : argv.slice(end))];
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

/** A reader of commander's raw values: the string a flag was given, else undefined. */
export const textOf =
  (raw: Record<string, unknown>) =>
  (key: string): string | undefined =>
    typeof raw[key] === 'string' ? (raw[key] as string) : undefined;

/** Only the flags that were given: exactOptionalPropertyTypes keeps "absent" and "undefined" apart. */
export function definedOnly<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/**
 * The `--color` mode, read before commander runs: the streams (and with them the colour of a
 * parse error) are set up first. Commander still parses the flag, and rejects a bad value.
 */
export function colorModeOf(argv: readonly string[]): ColorMode {
  let mode: ColorMode = 'auto';
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  flags.forEach((arg, i) => {
    const value = arg === '--color' ? flags[i + 1] : arg.startsWith('--color=') ? arg.slice('--color='.length) : undefined;
    const known = COLOR_MODES.find((m) => m === value);
    if (known) mode = known;
  });
  return mode;
}
