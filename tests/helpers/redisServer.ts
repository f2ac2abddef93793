// A real redis-server for team-mode tests: started on a free loopback port with no persistence
// (`--save "" --appendonly no`), killed by the test (also mid-load: kill() then restart() on the
// same port, empty, as after a crash without persistence). Needs Debian's `redis-server`
// (`.ci/run` installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { sleep } from './wait'

export const REDIS_SERVER = process.env.SWITCHYARD_REDIS_SERVER ?? 'redis-server'

/** True when a redis-server binary is on this machine. */
export function hasRedisServer(): boolean {
  return spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).status === 0
}

export interface RedisServer {
  port: number
  url: string
  /** SIGKILL: the server vanishes mid-whatever (resolves once the process is gone). */
  kill(): Promise<void>
  /** Starts it again on the same port (empty). */
  restart(): Promise<void>
  /** Runs redis-cli-like commands over a fresh connection (RESP), for assertions. */
  command(...args: string[]): Promise<unknown>
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

function spawnServer(port: number): ChildProcess {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr?.resume()
  return child
}

async function waitReady(port: number, timeoutMs = 5_000): Promise<void> {
  const start = Date.now()
  for (;;) {
    try {
      const pong = await resp(port, ['PING'])
      if (pong === 'PONG') return
    } catch {
      // not yet
    }
    if (Date.now() - start > timeoutMs) throw new Error(`redis-server on ${port} did not answer within ${timeoutMs} ms`)
    await sleep(20)
  }
}

/** One RESP command over a new connection; replies parsed enough for tests (simple, bulk, integer, arrays). */
export function resp(port: number, args: string[], timeoutMs = 2_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error('redis command timed out'))
    }, timeoutMs)
    let buf = Buffer.alloc(0)
    socket.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      const parsed = parse(buf, 0)
      if (!parsed) return
      clearTimeout(timer)
      socket.end()
      if (parsed.value instanceof Error) reject(parsed.value)
      else resolve(parsed.value)
    })
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`)
  })
}

function parse(buf: Buffer, at: number): { value: unknown; end: number } | undefined {
  const line = buf.indexOf('\r\n', at)
  if (line === -1) return undefined
  const type = String.fromCharCode(buf[at]!)
  const head = buf.toString('utf8', at + 1, line)
  if (type === '+') return { value: head, end: line + 2 }
  if (type === '-') return { value: new Error(head), end: line + 2 }
  if (type === ':') return { value: Number(head), end: line + 2 }
  if (type === '$') {
    const n = Number(head)
    if (n < 0) return { value: null, end: line + 2 }
    if (buf.length < line + 2 + n + 2) return undefined
    return { value: buf.toString('utf8', line + 2, line + 2 + n), end: line + 2 + n + 2 }
  }
  if (type === '*') {
    const n = Number(head)
    const items: unknown[] = []
    let pos = line + 2
    for (let i = 0; i < n; i++) {
      const item = parse(buf, pos)
      if (!item) return undefined
      items.push(item.value)
      pos = item.end
    }
    return { value: items, end: pos }
  }
  return { value: new Error(`unexpected reply type ${type}`), end: line + 2 }
}

/** Starts redis-server on a free loopback port; stop() (or kill()) ends it. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort()
  let child = spawnServer(port)
  await waitReady(port)
  const exited = (c: ChildProcess): Promise<void> =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((resolve) => c.once('exit', () => resolve()))
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      child.kill('SIGKILL')
      await exited(child)
    },
    async restart() {
      child = spawnServer(port)
      await waitReady(port)
    },
    command: (...args) => resp(port, args),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL')
        await exited(child)
      }
    },
  }
}
