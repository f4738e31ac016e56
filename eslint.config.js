// ESLint (flat config): the recommended rules, and typescript-eslint's type-aware ones for what
// types alone cannot catch: promises nobody awaits or handles, and `any` leaking into typed code.
// Formatting is Prettier's business (.prettierrc.json); eslint-config-prettier turns off the rules
// that would argue with it. `npm run lint` runs both, and fails on any warning.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'var/', 'node_modules/', 'test-results/', 'bench/results/'] },
  eslint.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        // The server and tests, and the admin components (bundled for the browser, their own tsconfig).
        project: ['./tsconfig.json', './tsconfig.components.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // knex's query builders are thenables: a scope callback returning one (`(qb) => qb.where(...)`)
      // is not a promise left unhandled.
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false, returns: false } },
      ],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'warn',
      '@typescript-eslint/no-unsafe-call': 'warn',
      '@typescript-eslint/no-unsafe-member-access': 'warn',
      '@typescript-eslint/no-unsafe-return': 'warn',
      '@typescript-eslint/no-unsafe-argument': 'warn',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests read HTTP response bodies and query rows, which their libraries type as `any`, and
    // assert on them: the `any` is checked by the assertion that follows, so these rules stay off
    // there. Promises and everything else are checked as in the code.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['admin/components/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], extends: [tseslint.configs.disableTypeChecked] },
  prettier,
  // After eslint-config-prettier, which turns max-len off: Prettier wraps code at 120 columns but
  // not strings, template literals or comments, so nothing else keeps those from growing.
  { rules: { 'max-len': ['error', { code: 160, ignoreUrls: true }] } },
);
