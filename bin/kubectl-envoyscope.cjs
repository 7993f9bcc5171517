#!/usr/bin/env node
// `kubectl envoyscope …`: kubectl runs plugins named kubectl-<name> found on PATH.
require('./envoyscope.cjs');
