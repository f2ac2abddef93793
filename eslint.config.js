import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import globals from 'globals'

const noElectron = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'electron', message: 'The gateway core and shared contracts run under plain Node: pass Electron services in through interfaces.' }],
      patterns: [{ group: ['electron/*', '**/main/app/*', '**/app/*'], message: 'The gateway core must not depend on the Electron host.' }],
    },
  ],
}

export default tseslint.config(
  { ignores: ['bench/results/**', 'out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**', 'playwright-report/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/no-v-html': 'error',
    },
  },
  { files: ['src/renderer/**/*', 'tests/unit/renderer/**/*'], languageOptions: { globals: { ...globals.browser } } },
  // electron-builder loads its hooks with require(): CommonJS by necessity.
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['src/main/gateway/**/*', 'src/shared/**/*'], rules: noElectron },
  // The hosts see the core through its index.ts only; the headless host knows nothing of Electron.
  {
    files: ['src/main/app/**/*', 'src/main/index.ts', 'src/main/config/**/*'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/gateway/*'], message: 'Import the gateway core through src/main/gateway (its index.ts).' }] }] },
  },
  {
    files: ['src/main/headless/**/*'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The headless host runs under plain Node.' }],
          patterns: [
            { group: ['**/gateway/*'], message: 'Import the gateway core through src/main/gateway (its index.ts).' },
            { group: ['**/app/*', 'electron/*'], message: 'The headless host runs under plain Node.' },
          ],
        },
      ],
    },
  },
  // The dashboard talks to the app API only (src/shared/api.ts), never to main-process code.
  {
    files: ['src/renderer/**/*', 'src/preload/**/*'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**'], message: 'The renderer and preload see only src/shared (the app API).' }] }] },
  },
  {
    files: ['src/shared/**/*'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'shared contracts are imported by every process' }], patterns: [{ group: ['node:*', '**/main/**', '**/renderer/**'], message: 'src/shared imports nothing from a process' }] },
      ],
    },
  },
)
