// Lint rules: typescript-eslint's recommended set, plus the few rules that catch real bugs here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'runs/', 'test-results/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The one-way layer rule from DESIGN.md: language knows nothing of VS Code or TensorFlow.
    files: ['src/language/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['vscode', 'vscode-*', '@tensorflow/*'], message: 'src/language and src/protocol stay free of VS Code and TensorFlow.' },
          { group: ['../engine/*', '../cli/*', '../server/*', '../extension/*', '../webview/*'], message: 'language may not import upper layers.' },
        ],
      }],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['vscode', 'vscode-*'], message: 'the engine knows nothing of VS Code.' },
          { group: ['../cli/*', '../server/*', '../extension/*', '../webview/*'], message: 'engine may not import upper layers.' },
        ],
      }],
    },
  },
  {
    files: ['src/extension/**/*.ts', 'src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['@tensorflow/*', '../engine/*'], message: 'the extension host and webviews never load TensorFlow.' }],
      }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // The CommonJS launcher of the bundled CLI.
    files: ['bin/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
