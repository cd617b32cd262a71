// typescript-eslint's type-checked recommended rules over the whole project
// (server, console, tests, benchmarks). `npm run lint`, run by .ci/run.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'cdk.out/', 'dist/', 'coverage/', 'web/.dist-*/', 'web/src/api/schema.d.ts', '.steward-data/', '.steward-test-data/', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore is how this codebase says "deliberately unused" (rest siblings dropped from a record, a port's argument an adapter ignores).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Adapters implement async ports; an in-memory or local implementation that has nothing to await is still async by contract.
      '@typescript-eslint/require-await': 'off',
      // A variable read by a closure before its one assignment (the platform handed to its own runners) cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Re-throwing what a catch received (`unknown`) is not a thrown literal.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Tests and benchmarks read JSON answers (`await res.json()`) and SDK outputs as untyped data and assert on them; typing every answer would restate the API schema in each test.
    files: ['test/**/*.ts', 'test/**/*.tsx', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
    },
  },
  {
    // React event handlers may be async: a rejected submit is shown by the form's own state, and React ignores the returned promise.
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }] },
  },
);
