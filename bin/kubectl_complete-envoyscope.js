#!/usr/bin/env node
// kubectl (1.26+) completes `kubectl envoyscope …` by running this with the words typed so far.
// Through envoyscope.js, for its start-up settings (the compile cache).
import './envoyscope.js';
