// The hidden entry point the completion scripts call (`envoyscope __complete <words…>`). Alone in
// its module: main.ts checks for it before loading the CLI.
export const COMPLETE_COMMAND = '__complete';
