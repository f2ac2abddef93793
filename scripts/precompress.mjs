// Vite plugin for the renderer build: writes `<file>.br` and `<file>.gz` next to each text asset,
// so the headless gateway serves the dashboard compressed without compressing anything itself
// (staticUi.ts). Compressing at start-up cost the gateway ~17 MB of resident memory that the
// allocator never gave back, and a first visit that waited for it.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

/** What staticUi.ts compresses (its COMPRESSIBLE, over 1 kB); it serves the rest as it is. */
const EXTENSIONS = new Set(['.html', '.js', '.css', '.svg', '.json'])
const MIN_BYTES = 1024

/** @returns {import('vite').Plugin} */
export function precompress() {
  return {
    name: 'switchyard-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir
      if (!dir) return
      for (const name of Object.keys(bundle)) {
        if (!EXTENSIONS.has(path.extname(name))) continue
        const file = path.join(dir, name)
        const body = fs.readFileSync(file)
        if (body.length < MIN_BYTES) continue
        // Once per build, served many times: brotli's best quality (~3 s for the whole dashboard).
        const br = zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
        fs.writeFileSync(`${file}.br`, br)
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body, { level: 9 }))
      }
    },
  }
}
