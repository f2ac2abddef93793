// Cold first-screen time of the dashboard in Chromium (web mode): a fresh browser context per run
// (no cache), from navigation to the overview showing the gateway's state, plus the bytes moved.
// usage: node bench/coldLoad.mjs [repo root with a built out/] [runs]
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium } from '@playwright/test'

const root = path.resolve(process.argv[2] ?? '.')
const runs = Number(process.argv[3] ?? 7)
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-coldload-'))
fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ version: 1 }))
const child = spawn(process.execPath, [path.join(root, 'bin/switchyard.js'), 'serve', '--data-dir', dataDir, '--port', '0', '--admin-token', 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] })
const url = await new Promise((resolve, reject) => {
  let out = ''
  child.stdout.on('data', (d) => {
    out += d
    const m = /listening on (http:\/\/\S+)/.exec(out)
    if (m) resolve(m[1])
  })
  child.once('exit', (code) => reject(new Error(`gateway exited ${code}`)))
})
const browser = await chromium.launch({ executablePath: process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] })
const times = []
let bytes = 0
let encoded = 0
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    let run = 0
    let runEncoded = 0
    page.on('response', async (res) => {
      if (!res.url().includes('/ui/')) return
      const body = await res.body().catch(() => Buffer.alloc(0))
      run += body.length
      runEncoded += Number(res.headers()['content-length'] ?? body.length)
    })
    const t0 = Date.now()
    await page.goto(`${url}/ui/#token=bench`)
    await page.getByTestId('status-state').getByText('Listening').waitFor()
    await page.getByTestId('view-overview').waitFor()
    times.push(Date.now() - t0)
    bytes = run
    encoded = runEncoded
    await context.close()
  }
} finally {
  await browser.close()
  child.kill('SIGTERM')
}
times.sort((a, b) => a - b)
const median = times[Math.floor(times.length / 2)]
console.log(JSON.stringify({ root, runs, medianMs: median, minMs: times[0], maxMs: times.at(-1), uiBytes: bytes, uiBytesOnTheWire: encoded }))
