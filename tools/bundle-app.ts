/**
 * `node tools/bundle-app.ts <app dir> [out dir]`: bundles an app (its src/main.ts and every
 * package it imports, workspace packages from their sources) into `<app dir>/bundle/`, the one
 * file an operator runs and an image ships.
 *
 * Why a bundle: Node's module loader resolves, reads and compiles each of the ~300 files of a
 * virtual kubelet and its dependencies one by one, and that leaves ~12 MB more resident at idle
 * than the same code as one file (docs/benchmarks.md).
 *
 * The core runs some work in short-lived child processes (`siblingScript` in core's
 * util/child-script.ts). Each such script is an export of @vkubelet/core whose name ends in
 * `-child`; it becomes an entry of its own, written beside `main.mjs` under the same name, where
 * `siblingScript` looks for it. Chunks stay in the same folder for the same reason. Names are not
 * mangled, so stack traces stay readable (a source map is written beside each file).
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { rolldown, type Plugin } from 'rolldown';

interface ExportTarget {
  readonly source?: string;
}

/** The child-process entries of @vkubelet/core: name → source file. */
function coreChildEntries(appDir: string): Record<string, string> {
  const require = createRequire(join(appDir, 'package.json'));
  const manifestPath = require.resolve('@vkubelet/core/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: Record<string, ExportTarget | string>;
  };
  const entries: Record<string, string> = {};
  for (const [key, target] of Object.entries(manifest.exports)) {
    if (!key.endsWith('-child')) continue;
    const file = typeof target === 'string' ? target : target.source;
    if (file === undefined) throw new Error(`@vkubelet/core export ${key} has no source target`);
    entries[key.slice(2)] = join(manifestPath, '..', file);
  }
  return entries;
}

const builtins = new Set(builtinModules.flatMap(name => [name, `node:${name}`]));
const virtualPrefix = '\0builtin:';

/**
 * Imports Node's built-in modules the way `require` does. An `import … from 'node:tls'` builds
 * the module's ESM namespace, which reads every export, lazy getters included: `tls` parses its
 * ~150 root certificates, `http` loads undici for `WebSocket`, `crypto` loads WebCrypto: ~5 MB
 * resident and ~3 MB of heap at idle that nothing uses. Each statement import of a built-in
 * becomes a module of its own (one per importer) that takes `process.getBuiltinModule(name)`
 * and exports each property as a constant; tree-shaking keeps only the ones that importer
 * uses, so a getter runs only where it is imported by name. (`require` calls, as in bundled
 * CommonJS packages, already load built-ins this way and are left alone.)
 */
function builtinsWithoutNamespaces(): Plugin {
  return {
    name: 'builtins-without-namespaces',
    resolveId(source, importer, extra) {
      if (extra.kind !== 'import-statement' || !builtins.has(source)) return null;
      const name = source.replace(/^node:/, '');
      return { id: `${virtualPrefix}${name}?${importer ?? ''}`, moduleSideEffects: false };
    },
    load(id) {
      if (!id.startsWith(virtualPrefix)) return null;
      const name = `node:${id.slice(virtualPrefix.length, id.indexOf('?'))}`;
      const exportsObject = process.getBuiltinModule(name) as Record<string, unknown>;
      const keys = Object.keys(exportsObject).filter(
        key => /^[A-Za-z_$][\w$]*$/.test(key) && key !== 'default',
      );
      return [
        `const m = process.getBuiltinModule(${JSON.stringify(name)});`,
        'export default m;',
        ...keys.map(key => `export const ${key} = m.${key};`),
      ].join('\n');
    },
  };
}

async function bundleApp(appDir: string, outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  const bundle = await rolldown({
    input: { main: join(appDir, 'src', 'main.ts'), ...coreChildEntries(appDir) },
    platform: 'node',
    // Workspace packages from their sources (Node-compatible TypeScript: types are only erased).
    resolve: { conditionNames: ['source', 'node', 'import', 'require', 'default'] },
    tsconfig: join(appDir, 'tsconfig.build.json'),
    plugins: [builtinsWithoutNamespaces()],
    treeshake: { propertyReadSideEffects: false },
    // ws tries these optional native add-ons and falls back to JavaScript without them.
    external: ['bufferutil', 'utf-8-validate'],
    onLog(level, log, defaultHandler) {
      // A warning here is a module the bundle would get wrong at run time: fail the build.
      if (level === 'warn') defaultHandler('error', log);
      else defaultHandler(level, log);
    },
  });
  try {
    await bundle.write({
      dir: outDir,
      format: 'esm',
      entryFileNames: '[name].mjs',
      chunkFileNames: '[name]-[hash].mjs',
      sourcemap: true,
      // V8 keeps each script's source in the heap, two bytes a character as soon as one is not
      // Latin-1 (a dash in a comment will do): ASCII without comments halves it (~2 MB).
      charset: 'ascii',
      comments: false,
    });
  } finally {
    await bundle.close();
  }
}

const [appDir, outDir] = process.argv.slice(2);
if (appDir === undefined) {
  process.stderr.write('usage: node tools/bundle-app.ts <app dir> [out dir]\n');
  process.exit(2);
}
await bundleApp(resolve(appDir), resolve(outDir ?? join(appDir, 'bundle')));
