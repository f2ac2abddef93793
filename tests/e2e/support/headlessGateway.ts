// Runs the built headless gateway (`node bin/switchyard.js serve`) with a temp config and data
// dir, on a free port, and waits for the `listening on` line.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../../..')

export interface HeadlessGateway {
  url: string
  token: string
  dashboardUrl: string
  dataDir: string
  output(): string
  stop(): Promise<void>
}

export interface StartOptions {
  /** Extra environment for the gateway process (e.g. a temporary HOME for tool configs). */
  env?: Record<string, string>
  /** Extra CLI flags after `serve`. */
  args?: string[]
  /** Runs on the data dir before the gateway starts (e.g. seeds usage.db). */
  beforeStart?: (dataDir: string) => void | Promise<void>
}

export async function startHeadlessGateway(config: unknown, token = 'e2e-admin-token', opts: StartOptions = {}): Promise<HeadlessGateway> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-e2e-'))
  const configFile = path.join(dataDir, 'config.json')
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2))
  await opts.beforeStart?.(dataDir)
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin/switchyard.js'), 'serve', '--config', configFile, '--data-dir', dataDir, '--port', '0', '--admin-token', token, ...(opts.args ?? [])],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHYARD_LOG_LEVEL: 'warn', ...opts.env } },
  )
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const url = await waitForListening(child, () => out)
  return {
    url,
    token,
    dashboardUrl: `${url}/ui/#token=${encodeURIComponent(token)}`,
    dataDir,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

function waitForListening(child: ChildProcess, output: () => string, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`gateway did not report listening within ${timeoutMs} ms:\n${output()}`)), timeoutMs)
    const onData = (): void => {
      const match = /listening on (http:\/\/\S+)/.exec(output())
      if (match) {
        cleanup()
        resolve(match[1]!)
      }
    }
    const onExit = (code: number | null): void => fail(new Error(`gateway exited with ${code}:\n${output()}`))
    const fail = (err: Error): void => {
      cleanup()
      child.kill('SIGKILL')
      reject(err)
    }
    const cleanup = (): void => {
      clearTimeout(timer)
      child.stdout!.off('data', onData)
      child.off('exit', onExit)
    }
    child.stdout!.on('data', onData)
    child.once('exit', onExit)
  })
}
