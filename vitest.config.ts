import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const core = fileURLToPath(new URL('./core/src', import.meta.url));
const tui = fileURLToPath(new URL('./tui/src', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, not dist/.
    alias: [
      { find: /^@farmhand\/core$/, replacement: `${core}/index.ts` },
      { find: /^@farmhand\/core\/(.*)$/, replacement: `${core}/$1/index.ts` },
      { find: /^@farmhand\/tui$/, replacement: `${tui}/index.ts` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
