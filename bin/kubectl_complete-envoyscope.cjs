#!/usr/bin/env node
// kubectl (1.26+) completes `kubectl envoyscope …` by running this with the words typed so far.
require('./envoyscope.cjs');
