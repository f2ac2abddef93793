// The two Redis connections a team instance holds (commands, and one in subscriber mode), and the
// one fact everything else reads: is the shared store usable right now. Commands never wait for a
// connection (no offline queue) and never wait long on a live one (commandTimeout): a request's
// admission must fall back to local limits at once rather than hang behind a dead Redis. ioredis
// reconnects on its own; `up` comes back when a command (or a ping while down) succeeds again.
import type { Redis, RedisOptions } from 'ioredis'
import type { Logger } from '../common/log'

export interface RedisSettings {
  url: string
  /** Prefix of every key and channel (`switchyard:` unless configured). */
  prefix: string
  /** Longest a command may take before the instance treats Redis as gone (default 500 ms). */
  commandTimeoutMs: number
  connectTimeoutMs: number
}

type Listener = (up: boolean) => void

const PING_WHILE_DOWN_MS = 500

export class RedisConnection {
  cmd!: Redis
  sub!: Redis
  private isUp = false
  private downSince: number | undefined = Date.now()
  private reason: string | undefined = 'connecting'
  private readonly listeners = new Set<Listener>()
  private pinger: NodeJS.Timeout | undefined
  private closed = false
  private readonly messageHandlers = new Map<string, (message: string) => void>()

  constructor(
    readonly settings: RedisSettings,
    private readonly logger: Logger,
  ) {}

  /** Loads the client library (only team mode pays for it) and starts connecting; never throws. */
  async open(scripts: Record<string, string>): Promise<void> {
    const { Redis: RedisClient } = await import('ioredis')
    const options: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: this.settings.commandTimeoutMs,
      connectTimeout: this.settings.connectTimeoutMs,
      // Reconnect quickly at first, then every 2 s: fallback is fine meanwhile, resync follows.
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
      enableAutoPipelining: true,
    }
    this.cmd = new RedisClient(this.settings.url, { ...options, connectionName: 'switchyard' })
    this.sub = new RedisClient(this.settings.url, { ...options, commandTimeout: undefined, enableOfflineQueue: true, connectionName: 'switchyard-sub' })
    for (const [name, lua] of Object.entries(scripts)) this.cmd.defineCommand(name, { lua })
    this.cmd.on('ready', () => this.markUp())
    this.cmd.on('close', () => this.markDown('connection closed'))
    this.cmd.on('error', (err: Error) => this.markDown(err.message))
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.messageHandlers.get(channel.toString())?.(message.toString()))
    this.sub.on('error', () => undefined) // the command connection reports trouble; this one just reconnects
    await Promise.allSettled([this.cmd.connect(), this.sub.connect()])
    const channels = [...this.messageHandlers.keys()]
    if (channels.length > 0) await this.sub.subscribe(...channels).catch(() => undefined) // re-subscribed on reconnect by ioredis
    if (!this.isUp) this.logger.warn({ redis: redactUrl(this.settings.url), reason: this.reason }, 'shared state (Redis) not reachable at start: limits are decided by this instance until it is')
  }

  /** Resolves once connected, or after `timeoutMs` (then the instance starts on local limits). */
  whenUp(timeoutMs: number): Promise<boolean> {
    if (this.isUp) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off()
        resolve(this.isUp)
      }, timeoutMs)
      timer.unref()
      const off = this.onChange((up) => {
        if (!up) return
        clearTimeout(timer)
        off()
        resolve(true)
      })
    })
  }

  /** Registers a channel handler; call before open(). */
  onMessage(channel: string, handler: (message: string) => void): void {
    this.messageHandlers.set(channel, handler)
  }

  get up(): boolean {
    return this.isUp
  }

  status(): { up: boolean; downSince?: number; reason?: string } {
    return { up: this.isUp, downSince: this.isUp ? undefined : this.downSince, reason: this.isUp ? undefined : this.reason }
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Runs a command; a transport failure (closed, timed out) marks the store down before the
   * caller's catch runs, so the caller's fallback already sees `up === false`.
   */
  async run<T>(fn: (r: Redis) => Promise<T>): Promise<T> {
    if (!this.isUp) throw new Error(`shared state unavailable: ${this.reason ?? 'down'}`)
    try {
      return await fn(this.cmd)
    } catch (err) {
      if (!isReplyError(err)) this.markDown((err as Error).message)
      throw err
    }
  }

  markDown(reason: string): void {
    if (this.closed) return
    this.reason = reason
    if (!this.isUp) return
    this.isUp = false
    this.downSince = Date.now()
    this.logger.warn({ redis: redactUrl(this.settings.url), reason }, 'shared state (Redis) unreachable: limits fall back to this instance (warned once until it recovers)')
    this.startPinging()
    for (const l of this.listeners) l(false)
  }

  private markUp(): void {
    if (this.closed || this.isUp) return
    this.isUp = true
    this.reason = undefined
    const wasDownMs = this.downSince === undefined ? 0 : Date.now() - this.downSince
    this.downSince = undefined
    this.stopPinging()
    this.logger.info({ redis: redactUrl(this.settings.url), downMs: wasDownMs }, 'shared state (Redis) connected')
    for (const l of this.listeners) l(true)
  }

  /** A live socket with a hung or timed-out server: ping until it answers again. */
  private startPinging(): void {
    if (this.pinger) return
    this.pinger = setInterval(() => {
      if (this.cmd.status !== 'ready') return // ioredis reconnects, and 'ready' marks us up
      this.cmd.ping().then(
        () => this.markUp(),
        () => undefined,
      )
    }, PING_WHILE_DOWN_MS)
    this.pinger.unref()
  }

  private stopPinging(): void {
    if (this.pinger) clearInterval(this.pinger)
    this.pinger = undefined
  }

  async close(): Promise<void> {
    this.closed = true
    this.stopPinging()
    this.isUp = false
    await Promise.allSettled([this.cmd?.quit(), this.sub?.quit()])
    this.cmd?.disconnect()
    this.sub?.disconnect()
  }
}

function isReplyError(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ReplyError'
}

/** `redis://user:secret@host:6379/0` -> `redis://user:***@host:6379/0` for logs and views. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)([^/@]*)@/i, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':')
    return colon === -1 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`
  })
}
