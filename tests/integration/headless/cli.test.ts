// The built CLI as users run it: `switchyard serve` under plain Node (needs `npm run build`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { postJson, request } from '../../helpers/http'

const root = path.resolve(__dirname, '../../..')
const bin = path.join(root, 'bin/switchyard.js')

function serve(args: string[], env: NodeJS.ProcessEnv = {}, opts: { terminal?: boolean } = {}): { child: ChildProcess; ready: Promise<{ url: string; dashboard: string }>; stderr: () => string; stdout: () => string } {
  const command = [process.execPath, bin, 'serve', ...args]
  // A terminal on stdout (util-linux `script` runs the command on a pseudo-terminal), else a pipe as in CI and journald.
  const child = opts.terminal
    ? spawn('script', ['-qfec', command.map(shellQuote).join(' '), '/dev/null'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command[0]!, command.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
  const ready = new Promise<{ url: string; dashboard: string }>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1]
      const dashboard = /dashboard: (\S+)/.exec(out)?.[1]
      if (url && dashboard) resolve({ url, dashboard })
    })
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening: ${err}`)))
    setTimeout(() => reject(new Error(`not listening after 10 s: ${err}`)), 10_000).unref()
  })
  ready.catch(() => undefined) // callers that expect a failed start await the exit code instead
  return { child, ready, stderr: () => err, stdout: () => out }
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)))
}

describe('switchyard serve (built CLI)', () => {
  let mock: MockBackend
  let dir: string

  beforeAll(async () => {
    expect(fs.existsSync(path.join(root, 'out/main/cli.js')), 'run `npm run build` before this suite').toBe(true)
    mock = await startMockBackend({ flavor: 'vllm', models: ['qwen2.5-7b'] })
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-cli-'))
  })
  afterAll(async () => {
    await mock.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('serves on --port 0, prints the address and dashboard URL (no token: stdout is not a terminal), proxies, and exits 0 on SIGTERM', async () => {
    const configFile = path.join(dir, 'config.json')
    fs.writeFileSync(configFile, JSON.stringify({ activeProvider: 'v', providers: [{ id: 'v', kind: 'vllm', baseUrl: mock.baseUrl, apiKey: 'env:SY_CLI_KEY' }] }))
    const { child, ready, stderr, stdout } = serve(['--config', configFile, '--data-dir', dir, '--host', '127.0.0.1', '--port', '0', '--admin-token', 'cli-token-5eb1'], { SY_CLI_KEY: 'key-from-env' })
    const { url, dashboard } = await ready
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(stdout()).toContain(`listening on ${url}\n`)
    expect(dashboard).toBe(`${url}/ui/`)
    expect(stdout()).toContain('admin token: the --admin-token value')
    expect((await request(url, { path: '/health' })).status).toBe(200)
    const res = await postJson(url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [] })
    expect(res.status).toBe(200)
    expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer key-from-env')
    const ui = await request(url, { path: '/ui/' })
    expect(ui.status).toBe(200)
    expect(ui.headers['content-security-policy']).toContain("default-src 'self'")
    const exited = exitCode(child)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(stderr()).not.toContain('key-from-env')
    expect(stdout() + stderr()).not.toContain('cli-token-5eb1')
  })

  it('generates an admin token file with mode 0600 when none is given, and names the file instead of printing the token', async () => {
    const dataDir = path.join(dir, 'generated')
    const { child, ready, stdout, stderr } = serve(['--data-dir', dataDir, '--port', '0'], { SWITCHYARD_ADMIN_TOKEN: '' })
    const { url, dashboard } = await ready
    const tokenFile = path.join(dataDir, 'admin-token')
    const token = fs.readFileSync(tokenFile, 'utf8').trim()
    expect(token.length).toBeGreaterThan(16)
    expect(dashboard).toBe(`${url}/ui/`)
    expect(stdout()).toContain(`admin token: in ${tokenFile}`)
    expect(stdout() + stderr()).not.toContain(token)
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600)
    expect(fs.existsSync(path.join(dataDir, 'config.json'))).toBe(true)
    const exited = exitCode(child)
    child.kill('SIGINT')
    expect(await exited).toBe(0)
  })

  it.skipIf(!hasScript)(`prints the dashboard link with the token when stdout is a terminal${hasScript ? '' : ' [skipped: needs Linux and util-linux `script` to give the CLI a terminal]'}`, async () => {
    const { child, ready } = serve(['--data-dir', path.join(dir, 'tty'), '--port', '0', '--admin-token', 'tty-token-77c2'], {}, { terminal: true })
    const { url, dashboard } = await ready
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(dashboard).toBe(`${url}/ui/#token=tty-token-77c2`)
    const exited = exitCode(child)
    child.kill('SIGTERM')
    await exited
  })

  it('fails fast with a readable message for a bad config or a taken port', async () => {
    const bad = path.join(dir, 'bad.json')
    fs.writeFileSync(bad, JSON.stringify({ providers: [{ id: 'x', kind: 'nope', baseUrl: 'http://x' }] }))
    const a = serve(['--config', bad, '--data-dir', dir, '--port', '0'])
    expect(await exitCode(a.child)).toBe(1)
    expect(a.stderr()).toContain('providers[0].kind')
    expect(a.stderr()).not.toMatch(/\n\s+at /)

    const missing = serve(['--config', path.join(dir, 'nope.json'), '--data-dir', dir])
    expect(await exitCode(missing.child)).toBe(1)
    expect(missing.stderr()).toContain('config file not found')

    const taken = serve(['--data-dir', dir, '--port', String(mock.port)])
    expect(await exitCode(taken.child)).toBe(1)
    expect(taken.stderr()).toContain(`cannot listen on 127.0.0.1:${mock.port}`)
  })
})
