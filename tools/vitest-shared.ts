/**
 * The vitest settings every package shares: sources resolved through the `source` export
 * condition (no build before tests), and a JSON report per package that tools/test-summary.ts
 * totals into one closing line.
 */
import { basename } from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

export function packageTestConfig(
  packageDir: string,
  overrides: ViteUserConfig['test'] = {},
): ViteUserConfig {
  const name = basename(packageDir);
  return defineConfig({
    resolve: { conditions: ['source'] },
    // vitest resolves server-side modules separately; without this, workspace packages need a build.
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: `${import.meta.dirname}/../.test-results/${name}.json` },
      ...overrides,
    },
  });
}
