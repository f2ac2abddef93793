// The built CLI as users run it: `switchyard serve` in a child process (needs `npm run build`).
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

export const ROOT = path.resolve(__dirname, '../..')
const BIN = path.join(ROOT, 'bin/switchyard.js')

export interface ServeProcess {
  child: ChildProcess
  /** The `listening on` address; rejects when the process exits first or after `readyMs`. */
  url: Promise<string>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stdout(): string
  stderr(): string
  /** True while the process runs. */
  alive(): boolean
}

export function isBuilt(): boolean {
  return fs.existsSync(path.join(ROOT, 'out/main/cli.js'))
}

export function spawnServe(args: string[], opts: { env?: NodeJS.ProcessEnv; readyMs?: number } = {}): ServeProcess {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const url = new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) resolve(m[1]!)
    }
    child.stdout!.on('data', check)
    void exited.then(({ code, signal }) => reject(new Error(`gateway exited (${code ?? signal}) before listening: ${err}`)))
    setTimeout(() => reject(new Error(`gateway not listening after ${opts.readyMs ?? 15_000} ms: ${err}`)), opts.readyMs ?? 15_000).unref()
  })
  url.catch(() => undefined)
  return { child, url, exited, stdout: () => out, stderr: () => err, alive: () => child.exitCode === null && child.signalCode === null }
}
