// `npm run dev`: the CLI straight from the sources (through tsx), without the bundle and its code cache.
import { main } from './main.ts';

await main(process.argv[1] ?? '', process.argv.slice(2), async (argv) => (await import('./start.ts')).start(argv));
