// The headless dashboard files: brotli or gzip as the browser accepts — the build's compressed
// copies when they are current, else compressed once here and kept — the same bytes back after
// decompression, never for what gains nothing.
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStaticUi, preferredEncoding } from '../../../src/main/headless/staticUi'

let dir: string
let server: http.Server
let base: string
const js = 'export const x = 1;\n'.repeat(4000)
const css = '.a { color: red }\n'.repeat(400)
const older = new Date(Date.now() - 60_000)

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-ui-'))
  fs.mkdirSync(path.join(dir, 'assets'))
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>')
  fs.writeFileSync(path.join(dir, 'assets/app.js'), js)
  fs.writeFileSync(path.join(dir, 'assets/logo.png'), Buffer.alloc(4000, 7))
  // The build's copies: current ones for app.css (made at a quality the gateway never uses, so
  // their bytes tell where they came from); for app.js, copies older than the file (a rebuilt
  // file whose copies were left behind) that must not be served.
  fs.writeFileSync(path.join(dir, 'assets/app.css'), css)
  fs.writeFileSync(path.join(dir, 'assets/app.css.br'), zlib.brotliCompressSync(css, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }))
  fs.writeFileSync(path.join(dir, 'assets/app.css.gz'), zlib.gzipSync(css, { level: 1 }))
  fs.writeFileSync(path.join(dir, 'assets/app.js.br'), zlib.brotliCompressSync('stale'))
  fs.writeFileSync(path.join(dir, 'assets/app.js.gz'), zlib.gzipSync('stale'))
  for (const f of ['app.js.br', 'app.js.gz']) fs.utimesSync(path.join(dir, 'assets', f), older, older)
  const ui = createStaticUi(dir)
  server = http.createServer((req, res) => void ui({ req, res, path: new URL(req.url!, 'http://x').pathname } as never))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((r) => server.close(r))
  fs.rmSync(dir, { recursive: true, force: true })
})

function get(p: string, acceptEncoding?: string): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(`${base}${p}`, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
    }).on('error', reject)
  })
}

describe('dashboard files, compressed', () => {
  it('brotli when accepted, gzip otherwise, plain without; the same bytes decoded', async () => {
    const br = await get('/ui/assets/app.js', 'gzip, deflate, br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toBe('accept-encoding')
    expect(Number(br.headers['content-length'])).toBeLessThan(js.length / 10)
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(js)
    const gz = await get('/ui/assets/app.js', 'gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(zlib.gunzipSync(gz.body).toString()).toBe(js)
    const plain = await get('/ui/assets/app.js')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.toString()).toBe(js)
    const png = await get('/ui/assets/logo.png', 'br')
    expect(png.headers['content-encoding']).toBeUndefined()
  })

  it("serves the build's current copies as they are, and compresses a file whose copies are older than it", async () => {
    const br = await get('/ui/assets/app.css', 'br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.body.equals(fs.readFileSync(path.join(dir, 'assets/app.css.br')))).toBe(true)
    const gz = await get('/ui/assets/app.css', 'gzip')
    expect(gz.body.equals(fs.readFileSync(path.join(dir, 'assets/app.css.gz')))).toBe(true)
    expect(zlib.gunzipSync(gz.body).toString()).toBe(css)
    const stale = await get('/ui/assets/app.js', 'br')
    expect(zlib.brotliDecompressSync(stale.body).toString()).toBe(js)
  })

  it('reads Accept-Encoding with q values', () => {
    expect(preferredEncoding('br;q=0, gzip')).toBe('gzip')
    expect(preferredEncoding('identity')).toBeUndefined()
    expect(preferredEncoding('*')).toBe('br')
    expect(preferredEncoding(undefined)).toBeUndefined()
  })
})
