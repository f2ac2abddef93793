// The team's event channel: small JSON messages `{ t: type, from: instance, ... }` published by
// one instance and handled by every instance (the sender included, which is harmless: every
// handler applies state idempotently). Releases have their own plain-text channel (hot path).
import type { Logger } from '../common/log'
import type { RedisConnection } from './redisConnection'

export type TeamEvent = { t: string; from?: string } & Record<string, unknown>

export class EventBus {
  readonly channel: string
  private readonly handlers = new Map<string, Array<(event: TeamEvent) => void>>()

  constructor(
    private readonly conn: RedisConnection,
    readonly instanceId: string,
    private readonly logger: Logger,
  ) {
    this.channel = `${conn.settings.prefix}ev`
    conn.onMessage(this.channel, (message) => this.dispatch(message))
  }

  on(type: string, handler: (event: TeamEvent) => void): void {
    const list = this.handlers.get(type) ?? []
    list.push(handler)
    this.handlers.set(type, list)
  }

  /** Best effort: a lost event is made up for by the resync after a reconnect. */
  publish(type: string, body: Record<string, unknown> = {}): void {
    const message = JSON.stringify({ ...body, t: type, from: this.instanceId })
    this.conn.run((r) => r.publish(this.channel, message)).catch(() => undefined)
  }

  private dispatch(message: string): void {
    let event: TeamEvent
    try {
      event = JSON.parse(message) as TeamEvent
    } catch {
      return
    }
    for (const handler of this.handlers.get(event.t) ?? []) {
      try {
        handler(event)
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, event: event.t }, 'team event handler failed')
      }
    }
  }
}
