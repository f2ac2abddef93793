// Runs one CLI the way CI would: stdin closed, its own process group (so the whole tree can be
// ended: agents spawn shells, sandboxes, language servers), stdout/stderr captured, a hard
// timeout (SIGTERM to the group, SIGKILL 3 s later), and the group killed after every run so
// nothing it left behind outlives the test.
import { spawn, type ChildProcess } from 'node:child_process'

export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  stdout: string
  stderr: string
  ms: number
}

const live = new Set<ChildProcess>()
const others = new Set<ChildProcess>()

/** Also end this process (a gateway) if the worker is stopped before the test cleans up. */
export function trackChild(child: ChildProcess): void {
  others.add(child)
  child.once('exit', () => others.delete(child))
}

let handlersInstalled = false

/**
 * A test worker that is stopped (Ctrl-C, a vitest timeout) must not leave CLIs running in their
 * own process groups, where its death would not reach them. Installed with the first CLI, so the
 * main vitest process (globalSetup) keeps its own signal handling.
 */
function endChildrenOnExit(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  process.once('exit', () => killAllClis())
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllClis()
      process.kill(process.pid, signal)
    })
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // ESRCH: the group is gone already
  }
}

/** Ends every CLI still running (a test that threw or timed out). */
export function killAllClis(): void {
  for (const child of live) killGroup(child, 'SIGKILL')
  live.clear()
  for (const child of others) child.kill('SIGKILL')
  others.clear()
}

export function runCli(opts: { bin: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CliRun> {
  endChildrenOnExit()
  const started = Date.now()
  const child = spawn(opts.bin, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  live.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
  let timedOut = false
  let hardKill: NodeJS.Timeout | undefined
  const timer = setTimeout(() => {
    timedOut = true
    killGroup(child, 'SIGTERM')
    hardKill = setTimeout(() => killGroup(child, 'SIGKILL'), 3_000)
  }, opts.timeoutMs)
  return new Promise((resolve) => {
    let settled = false
    const finish = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (hardKill) clearTimeout(hardKill)
      killGroup(child, 'SIGKILL') // whatever the CLI left running in its group
      live.delete(child)
      if (error) stderr += `\n[spawn error] ${error.message}`
      // Output still buffered in the pipes arrives before 'close'; a grandchild holding a pipe open
      // must not hold the test, so wait for it only briefly.
      const done = (): void => resolve({ code, signal, timedOut, stdout, stderr, ms: Date.now() - started })
      if (child.stdout!.readableEnded && child.stderr!.readableEnded) return done()
      const grace = setTimeout(done, 1_000)
      child.once('close', () => {
        clearTimeout(grace)
        done()
      })
    }
    child.once('exit', (code, signal) => finish(code, signal))
    child.once('error', (err) => finish(null, null, err))
  })
}
