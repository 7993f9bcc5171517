#!/usr/bin/env node
// `kubectl envoyscope …`: kubectl runs plugins named kubectl-<name> found on PATH.
import '../dist/cli/main.js';
