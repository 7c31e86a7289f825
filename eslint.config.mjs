// Lint rules: typescript-eslint's recommended set, plus the few rules that catch real bugs here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/**
 * The layers of DESIGN.md by folder, and what each may not import: import-x resolves every
 * import to its file first, so `../../engine/backends/tf` from any depth is caught, not only
 * one folder up (docs/architecture.md, "Layers of the source tree").
 */
const LAYERS = ['protocol', 'language', 'engine', 'cli', 'server', 'extension', 'webview'];
const MAY_IMPORT = {
  protocol: [],
  language: ['protocol'],
  engine: ['language', 'protocol'],
  cli: ['engine', 'language', 'protocol'],
  server: ['language', 'protocol'],
  extension: ['protocol'],
  webview: ['protocol'],
};
/**
 * The modules of a forbidden layer a layer may still read, each loading no TensorFlow: the
 * language server counts a train section's dataset classes from the listing as the engine does,
 * and reads the header of a `.cnn` base's state_dict
 * (test/server/bundle.test.ts holds the server bundle free of TensorFlow).
 */
const EXCEPTIONS = {
  server: { engine: ['./data/class-count.ts', './pytorch/state-header.ts'] },
};
export const layerZones = LAYERS.flatMap((layer) => LAYERS.filter((other) => other !== layer && !MAY_IMPORT[layer].includes(other)).map((other) => ({
  target: `./src/${layer}`,
  from: `./src/${other}`,
  ...(EXCEPTIONS[layer]?.[other] ? { except: EXCEPTIONS[layer][other] } : {}),
  message: `src/${layer} may import only ${MAY_IMPORT[layer].map((l) => `src/${l}`).join(', ') || 'nothing of ours'} (DESIGN.md's one-way layers).`,
})));

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
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones }] },
  },
  {
    // Packages by name, which the folder zones do not see.
    files: ['src/language/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['vscode', 'vscode-*', '!vscode-languageserver-protocol', '@tensorflow/*'], message: 'src/language and src/protocol stay free of VS Code and TensorFlow (the LSP wire protocol is allowed in src/protocol).' }],
      }],
    },
  },
  {
    files: ['src/engine/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['vscode', 'vscode-*'], message: 'the engine knows nothing of VS Code.' }],
      }],
    },
  },
  {
    files: ['src/extension/**/*.ts', 'src/webview/**/*.ts', 'src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['@tensorflow/*', 'webgpu'], message: 'the extension host, the language server and webviews never load TensorFlow.' }],
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
