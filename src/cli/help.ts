// Help conventions shared by every command: each one shows two or three real examples (the help
// test checks that every command has them, and runs those that read the bundled example files).
import type { Command } from 'commander';

/** The file the examples read, shipped in the npm package. */
export const EXAMPLE_DUMP = 'examples/reviews-v1.config_dump.json';
/** A pod of `npm run cluster` (in both of its modes), for live examples. */
export const EXAMPLE_POD = 'reviews-v1-cb8655c75-b97zc';

/** Appends an "Examples:" section to the command's help. */
export function withExamples(command: Command, examples: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((example) => `  ${example}`).join('\n')}\n`);
}
