// What a command may use from the outside world. Tests build their own; nothing else reaches for
// process globals. Heavy clients (Kubernetes) are created lazily by the commands that need them.
import type { IOStreams } from '../io/streams.ts';

export interface CliContext {
  io: IOStreams;
  /** The clock, for the secret table's VALID CERT column. */
  now: () => Date;
  env: NodeJS.ProcessEnv;
}
