#!/usr/bin/env node
// Runs the built app; inside the repository before a build, runs the sources of every workspace
// package through their `source` export condition (Node 24 strips the types).
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';

const built = new URL('../dist/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  registerHooks({
    resolve: (specifier, context, next) =>
      next(specifier, { ...context, conditions: [...context.conditions, 'source'] }),
  });
  await import(new URL('../src/main.ts', import.meta.url).href);
}
