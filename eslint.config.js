import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // core/ is pure: no I/O modules.
    files: ['core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:net',
                'node:fs',
                'node:fs/*',
                'node:http',
                'node:dgram',
                'node:child_process',
                'net',
                'fs',
                'http',
              ],
              message: 'core/ is free of I/O.',
            },
            {
              group: ['farmhand', 'farmhand-pool', '**/agent/**', '**/pool/**'],
              message: 'core/ imports no role.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['agent/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['farmhand-pool', '**/pool/src/**'],
              message: 'agent and pool never import each other.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['pool/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['farmhand', '**/agent/src/**', 'ink', 'serialport', 'better-sqlite3'],
              message: 'the pool never imports the agent, ink, serialport or SQLite.',
            },
          ],
        },
      ],
    },
  },
);
