#!/usr/bin/env node
// Runs the built app; inside the repository before a build, runs the sources of every workspace
// package through their `source` export condition (Node 24 strips the types).
import { existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `vk-mock needs Node.js 24 or newer (this is ${process.version}). In the repository, run it with npx vk-mock.\n`,
  );
  process.exit(1);
}
const built = new URL('../dist/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { registerHooks } = await import('node:module');
  registerHooks({
    resolve: (specifier, context, next) =>
      next(specifier, { ...context, conditions: [...context.conditions, 'source'] }),
  });
  await import(new URL('../src/main.ts', import.meta.url).href);
}
