#!/usr/bin/env node
// CommonJS, because Node starts a CommonJS script sooner than an ES module; dist/cli/launch.cjs
// (src/cli/launch.ts) loads the bundled CLI through V8's code cache.
require('../dist/cli/launch.cjs').launch(require('node:path').join(__dirname, '..', 'dist'));
