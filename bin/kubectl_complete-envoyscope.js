#!/usr/bin/env node
// kubectl (1.26+) completes `kubectl envoyscope …` by running this with the words typed so far.
import '../dist/cli/main.js';
