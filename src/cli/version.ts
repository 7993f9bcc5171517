// Alone in its module, so that `envoyscope --version` can print it without loading the CLI.
export const VERSION = '0.1.0';
