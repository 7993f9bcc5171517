// `zc log --level`: istioctl's level names, checked before any request, and spelled as ztunnel
// wants them (`warn`, not `warning`; ztunnel has no `critical`, so it becomes `error`).
import { UsageError } from '../errors.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'] as const;

const ZTUNNEL_SPELLING: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warning: 'warn',
  warn: 'warn',
  error: 'error',
  critical: 'error',
  off: 'off',
};

/** `[<logger>:]<level>,…` → the `level=` value for ztunnel's `POST /logging`. */
export function parseLogLevels(text: string): string {
  const parts = text.split(',').map((part) => part.trim());
  return parts
    .map((part) => {
      // A logger may carry a namespace (`a::b:debug`): the level follows the last `:` or `=`.
      const separator = Math.max(part.lastIndexOf(':'), part.lastIndexOf('='));
      const logger = separator > 0 && part[separator - 1] !== ':' ? part.slice(0, separator) : undefined;
      const level = logger === undefined ? part : part.slice(separator + 1);
      const spelled = ZTUNNEL_SPELLING[level.toLowerCase()];
      if (spelled === undefined) throw new UsageError(`unrecognized logging level "${level}" (use one of: ${LOG_LEVELS.join(', ')})`);
      return logger === undefined ? spelled : `${logger}:${spelled}`;
    })
    .join(',');
}

/** The query for ztunnel's `POST /logging`: none reads the level; `reset` restores the default. */
export function loggingPath(level: string | undefined, reset: boolean): string {
  if (reset) return 'logging?level=info&reset';
  return level === undefined ? 'logging' : `logging?level=${encodeURIComponent(level)}`;
}
