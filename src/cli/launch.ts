// The installed command's entry (bin/envoyscope.cjs → dist/cli/launch.cjs). The CLI is one CommonJS
// bundle, dist/cli/envoyscope.cjs, compiled through V8's code cache: on Node 20, compiling its code
// was about 14 ms of a 35 ms offline start-up (the bench's cold start), and Node 20 keeps no cache for
// ES modules. Everything before the bundle is loaded stays small: `--version` never loads it.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../errors.ts';
import { printable } from '../util/printable.ts';
import { loadWithCodeCache } from './codeCache.ts';
import { main } from './main.ts';

interface Cli {
  start(argv: string[]): Promise<void>;
}

/** Runs this process's command line; `distDir` is the build's `dist/`. */
export async function launch(distDir: string): Promise<void> {
  try {
    await main(process.argv[1] ?? '', process.argv.slice(2), async (argv) => {
      const bundle = loadWithCodeCache(join(distDir, 'cli', 'envoyscope.cjs'), cacheDirs(distDir));
      await (bundle.exports as Cli).start(argv);
      bundle.saveCache();
    });
  } catch (error) {
    // Only a broken install gets here (the CLI itself reports every failure and never throws).
    process.stderr.write(`error: cannot run envoyscope: ${printable(error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = ExitCode.INTERNAL;
  }
}

/** Beside the build; where that is read-only (a global install run by another user), the user's cache. */
function cacheDirs(distDir: string): string[] {
  const besideBuild = join(distDir, '.v8-cache');
  try {
    return [besideBuild, join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'envoyscope')];
  } catch {
    // No home directory to be found (homedir() throws): the cache beside the build only.
    return [besideBuild];
  }
}
