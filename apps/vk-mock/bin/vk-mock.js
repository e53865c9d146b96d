#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=262144 node --max-semi-space-size=16 --expose-gc
// Runs the built app; inside the repository before a build, runs the sources of every workspace
// package through their `source` export condition (Node 24 strips the types).
// --max-semi-space-size: V8 otherwise grows the young generation to 64 MB semi-spaces under a
// burst of pods and keeps it resident; 16 MB costs no throughput here and saves ~100 MB of RSS
// at 10,000 pods (docs/benchmarks.md). `node <flags> bin/vk-mock.js` sets its own.
// --expose-gc: lets the core's heap compactor give a burst's memory back once the process is
// quiet (V8 keeps those pages otherwise: ~50 MB at 10,000 pods); --no-heap-compaction turns it off.
// MALLOC_ARENA_MAX=2: glibc otherwise gives each thread that allocates (libuv's pool, V8's GC
// helpers) an arena of its own, which keeps freed memory resident: 10-20 MB at 10,000 pods.
// MALLOC_MMAP_THRESHOLD_=262144: blocks of 256 KB and more (response bodies, file chunks) come
// from mmap and go back when freed; glibc otherwise raises the threshold to the largest block
// freed, and a restart's relist leaves ~30 MB of holes in its heap that it never returns.
import { existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `vk-mock needs Node.js 24 or newer (this is ${process.version}). In the repository, run it with npx vk-mock.\n`,
  );
  process.exit(1);
}
// The bundle (what an image ships) once built, else the compiled modules, else the sources.
const bundled = new URL('../bundle/main.mjs', import.meta.url);
const built = new URL('../dist/main.js', import.meta.url);
if (existsSync(bundled)) {
  await import(bundled.href);
} else if (existsSync(built)) {
  await import(built.href);
} else {
  const { registerHooks } = await import('node:module');
  registerHooks({
    resolve: (specifier, context, next) =>
      next(specifier, { ...context, conditions: [...context.conditions, 'source'] }),
  });
  await import(new URL('../src/main.ts', import.meta.url).href);
}
