#!/usr/bin/env node
// Runs the built CLI; inside the repository before a build, runs the sources (Node 24 strips types).
import { existsSync } from 'node:fs';

if (Number(process.versions.node.split('.')[0]) < 24) {
  process.stderr.write(
    `vk-testkit needs Node.js 24 or newer (this is ${process.version}). In the repository, run it with npx vk-testkit.\n`,
  );
  process.exit(1);
}
const built = new URL('../dist/cli.js', import.meta.url);
await import(existsSync(built) ? built.href : new URL('../src/cli.ts', import.meta.url).href);
