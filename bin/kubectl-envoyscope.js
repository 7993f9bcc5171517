#!/usr/bin/env node
// `kubectl envoyscope …`: kubectl runs plugins named kubectl-<name> found on PATH.
// Through envoyscope.js, for its start-up settings (the compile cache).
import './envoyscope.js';
