// Shell completion, answered from the commander tree itself: commands, aliases, flags and the
// values of enumerated flags (their `argChoices`, see choiceOption) are whatever the program
// defines, so commands added later complete without any change here. Pod names come from the
// cluster through a provider with a short time budget.
import type { Command, Option } from 'commander';

/** What the shell should offer for the word under the cursor. */
export interface Completion {
  candidates: string[];
  /** No candidates of ours: let the shell complete file names (after -f, --kubeconfig …). */
  files: boolean;
}

/** The flags whose values are paths. */
const PATH_FLAGS = new Set(['--file', '--kubeconfig']);

/** The connection flags typed so far, which the cluster lookups honour. */
export interface ConnectionFlags {
  namespace?: string;
  context?: string;
  kubeconfig?: string;
}

/** Names only the cluster or the kubeconfig knows; each answers [] when it cannot say in time. */
export interface CompletionSources {
  /** Sidecar pod names for a `[target]` argument. */
  pods(flags: ConnectionFlags): Promise<string[]>;
  /** Values of -n/--namespace. */
  namespaces(flags: ConnectionFlags): Promise<string[]>;
  /** Values of --context. */
  contexts(flags: ConnectionFlags): Promise<string[]>;
}

/**
 * Candidates for the last of `words` (the words after the program name, the last one being the
 * partial word under the cursor, possibly "").
 */
export async function complete(program: Command, words: readonly string[], sources: CompletionSources): Promise<Completion> {
  const current = words.at(-1) ?? '';
  let command = program;
  let positional = 0;
  let pending: Option | undefined;
  const connection: ConnectionFlags = {};
  const remember = (option: Option, value: string): void => {
    const key = option.attributeName();
    if (key === 'namespace' || key === 'context' || key === 'kubeconfig') connection[key] = value;
  };
  for (const word of words.slice(0, -1)) {
    if (pending) {
      remember(pending, word);
      pending = undefined;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      const [name = '', value] = splitFlag(word);
      const option = findOption(command, name);
      if (option && takesValue(option)) {
        if (value === undefined) pending = option;
        else remember(option, value);
      }
      continue;
    }
    const sub = positional === 0 ? findCommand(command, word) : undefined;
    if (sub) command = sub;
    else positional++;
  }

  if (pending) return valuesOf(pending, current, connection, sources);
  if (current.startsWith('-')) {
    const [name = '', value] = splitFlag(current);
    const option = value === undefined ? undefined : findOption(command, name);
    if (option) {
      const values = await valuesOf(option, value ?? '', connection, sources);
      return { candidates: values.candidates.map((candidate) => `${name}=${candidate}`), files: false };
    }
    const flags = optionsInScope(command).flatMap((o) => [o.long, o.short].filter((flag): flag is string => flag !== undefined));
    return { candidates: startingWith([...flags, '--help'], current), files: false };
  }
  // Aliases (`pc`, `ep`) only once a word is begun: an empty word lists each command once.
  const subcommands = visibleCommands(command).flatMap((sub) => (current === '' ? [sub.name()] : [sub.name(), ...sub.aliases()]));
  if (subcommands.length > 0 && positional === 0) return { candidates: startingWith(subcommands, current), files: false };
  const argument = command.registeredArguments[positional];
  if (argument?.argChoices) return { candidates: startingWith(argument.argChoices, current), files: false };
  if (argument?.name() === 'target') return { candidates: startingWith(await sources.pods(connection), current), files: false };
  return { candidates: [], files: false };
}

async function valuesOf(option: Option, prefix: string, connection: ConnectionFlags, sources: CompletionSources): Promise<Completion> {
  if (option.argChoices) return { candidates: startingWith(option.argChoices, prefix), files: false };
  if (option.long === '--namespace') return { candidates: startingWith(await sources.namespaces(connection), prefix), files: false };
  if (option.long === '--context') return { candidates: startingWith(await sources.contexts(connection), prefix), files: false };
  return { candidates: [], files: option.long !== undefined && PATH_FLAGS.has(option.long) };
}

/** `--output=json` → [`--output`, `json`]; `-o` → [`-o`, undefined]. */
function splitFlag(word: string): [string, string | undefined] {
  const equals = word.indexOf('=');
  return equals === -1 ? [word, undefined] : [word.slice(0, equals), word.slice(equals + 1)];
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

/** The command's own flags and those of every command above it (the global flags). */
function optionsInScope(command: Command): Option[] {
  const options: Option[] = [];
  for (let at: Command | null = command; at; at = at.parent) options.push(...at.options.filter((option) => !option.hidden));
  return options;
}

function findOption(command: Command, flag: string): Option | undefined {
  for (let at: Command | null = command; at; at = at.parent) {
    const found = at.options.find((option) => option.long === flag || option.short === flag);
    if (found) return found;
  }
  return undefined;
}

function visibleCommands(command: Command): Command[] {
  // commander keeps `hidden` private; its Help lists exactly the visible commands.
  return command
    .createHelp()
    .visibleCommands(command)
    .filter((sub) => sub.name() !== 'help');
}

function findCommand(command: Command, word: string): Command | undefined {
  return command.commands.find((sub) => sub.name() === word || sub.aliases().includes(word));
}

function startingWith(values: readonly string[], prefix: string): string[] {
  return values.filter((value) => value.startsWith(prefix));
}
