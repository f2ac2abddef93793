import { resolve } from 'node:path'
import { readFileSync } from 'node:fs'
import vue from '@vitejs/plugin-vue'
import { defineConfig, externalizeDepsPlugin } from 'electron-vite'
import { precompress } from './scripts/precompress.mjs'

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }
const define = { __APP_VERSION__: JSON.stringify(pkg.version) }

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    define,
    build: {
      rollupOptions: {
        // index: the Electron app; cli: the same gateway headless under plain Node. The gateway's
        // worker threads are entries of their own, next to both (common/workerScript.ts finds them).
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/main/headless/cli.ts'),
          ledgerWorker: resolve('src/main/gateway/usage/ledgerWorker.ts'),
          tokenWorker: resolve('src/main/gateway/admission/tokenWorker.ts'),
        },
      },
    },
  },
  preload: {
    // A sandboxed preload can require only 'electron': zod (used by the shared api.ts it
    // imports) is bundled in instead of left as require('zod').
    plugins: [externalizeDepsPlugin({ exclude: ['zod'] })],
    build: {
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    base: './',
    define,
    // precompress: the headless gateway serves the .br/.gz copies it writes (staticUi.ts).
    plugins: [vue(), precompress()],
    build: {
      // The headless gateway serves these files over HTTP: ship them minified.
      minify: 'esbuild',
      // One chunk per screen (loaded when first opened) and ECharts in its own (loaded with the first
      // chart); the entry chunk (Vue, naive-ui with its dark theme, the shell) is ~560 kB.
      chunkSizeWarningLimit: 600,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
})
