import { defineConfig } from 'vitest/config';

// Sibling packages resolve to their TypeScript sources through the `@deepseg/source` export
// condition, so the inner test loop needs no build of the packages it imports.
const conditions = ['@deepseg/source', 'node', 'import', 'default'];

export const sharedConfig = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
