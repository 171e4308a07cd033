// Lint guards the two rules that break Temporal apps silently:
// workflow code must stay deterministic, and no promise may float.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'storage/**', 'bench/out/**', 'test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Tool configs in CommonJS (.dependency-cruiser.cjs: the import floors, run by `npm run lint`).
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: globals.node } },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code reaches the product only through the worker's bundle; everything else shares
    // the contracts (src/contracts) instead of importing workflows/.
    files: ['src/**/*.ts', 'activities/**/*.ts', 'standins/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/workflows/**', '../workflows', '../../workflows'], message: 'Import contracts from src/contracts; only the worker bundle and tests import workflows/.' }] }],
    },
  },
  {
    // Workflow code is replayed: no I/O, no Node built-ins, no activity implementations.
    // (The failure converter is loaded into the workflow sandbox by path, so it keeps the same rules.)
    files: ['workflows/**/*.ts', 'src/temporal/codec/failureConverter.ts', 'bench/baselines/workflows.ts', 'bench/baselines/bundle.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['**/activities/**', '../activities/*', '../activities'], allowTypeImports: true, message: 'Import activity types only (import type), never implementations.' },
            { regex: '(^|/)src/(?!contracts/)', message: 'Workflow code may import only workflows/, src/contracts and type-only shared modules.', allowTypeImports: true },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'setImmediate', 'process', 'require'],
    },
  },
);
