#!/usr/bin/env node
// Runs the built CLI; inside the repository before a build, runs the sources (Node 24 strips types).
import { existsSync } from 'node:fs';
const built = new URL('../dist/cli.js', import.meta.url);
await import(existsSync(built) ? built.href : new URL('../src/cli.ts', import.meta.url).href);
