#!/usr/bin/env node
// Node 22.1+ can keep V8's compiled code between runs, beside the build (so that a rebuild drops it
// and nothing is left in the temp directory); Node 20 lacks enableCompileCache, and then this is a no-op.
import module from 'node:module';

module.enableCompileCache?.(new URL('../dist/.compile-cache', import.meta.url).pathname);
await import('../dist/cli/main.js');
