import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.vite/**', 'e2e/test-results/**', '.tmp/**', 'demo/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['scripts/**', '**/*.mjs', '**/*.cjs', 'e2e/**', '**/test/**', '**/bench/**', '**/*.config.ts', 'demo/server/**', 'demo/scripts/**', 'packages/browser/scripts/**', 'packages/browser/build/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['packages/browser/src/**', 'demo/src/**', 'demo/public/**', 'e2e/pages/**', 'e2e/consumers/**'],
    languageOptions: { globals: { ...globals.browser, webmqtt: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The core must run unchanged in a browser, a Worker and Node: no DOM, no Node APIs.
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'require', 'Buffer', 'navigator', 'localStorage', 'indexedDB'],
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'net', 'tls', 'http', 'https', 'events', 'stream'] }],
    },
  },
)
