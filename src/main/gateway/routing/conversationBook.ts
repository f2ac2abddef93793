// Where each conversation went last (its "home", whose prefix cache holds it), how often it moved,
// and per route and target what was sent and how much of it the prefix model expected cached: the
// routing side of the dashboard's route insights. Bounded: oldest conversations are forgotten
// first, route counters are capped.
import type { Candidate } from './candidates'

export interface ConversationPin {
  conversation: string
  route?: string
  /** Candidate key (provider/model) of its last request. */
  key: string
  providerId: string
  turns: number
  /** Times it went elsewhere than the turn before. */
  moves: number
  lastAt: number
}

export interface RouteTargetCounters {
  route: string
  key: string
  providerId: string
  requests: number
  promptTokens: number
  /** Prompt tokens the prefix model expected to be cached where the request went. */
  expectedCachedTokens: number
}

const MAX_ROUTE_COUNTERS = 4096

export class ConversationBook {
  /** Least recently seen first. */
  private readonly conversations = new Map<string, ConversationPin>()
  private readonly routes = new Map<string, RouteTargetCounters>()

  constructor(private readonly maxConversations: number) {}

  homeOf(conversation: string): ConversationPin | undefined {
    return this.conversations.get(conversation)
  }

  /** The conversation's request went to `c`; returns the pin it had before and any pin forgotten to make room. */
  pin(id: string, c: Candidate, route: string | undefined, now: number): { previous?: ConversationPin; forgotten?: ConversationPin } {
    const previous = this.conversations.get(id)
    let forgotten: ConversationPin | undefined
    if (previous) this.conversations.delete(id)
    else if (this.conversations.size >= this.maxConversations) {
      forgotten = this.conversations.values().next().value!
      this.conversations.delete(forgotten.conversation)
    }
    this.conversations.set(id, {
      conversation: id,
      route,
      key: c.key,
      providerId: c.providerId,
      turns: (previous?.turns ?? 0) + 1,
      moves: (previous?.moves ?? 0) + (previous && previous.key !== c.key ? 1 : 0),
      lastAt: now,
    })
    return { previous, forgotten }
  }

  count(route: string | undefined, c: Candidate, promptTokens: number, cachedTokens: number): void {
    if (route === undefined) return
    const id = `${route}\u0000${c.key}`
    let r = this.routes.get(id)
    if (!r) {
      if (this.routes.size >= MAX_ROUTE_COUNTERS) return
      r = { route, key: c.key, providerId: c.providerId, requests: 0, promptTokens: 0, expectedCachedTokens: 0 }
      this.routes.set(id, r)
    }
    r.requests++
    r.promptTokens += promptTokens
    r.expectedCachedTokens += cachedTokens
  }

  /** Conversations, most recent first (at most `limit`). */
  pins(limit: number): ConversationPin[] {
    const out: ConversationPin[] = []
    const all = [...this.conversations.values()]
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) out.push({ ...all[i]! })
    return out
  }

  routeCounters(): RouteTargetCounters[] {
    return [...this.routes.values()].map((r) => ({ ...r }))
  }

  retain(providers: ReadonlySet<string>, routes: ReadonlySet<string>): void {
    for (const [id, c] of this.routes) if (!routes.has(c.route) || !providers.has(c.providerId)) this.routes.delete(id)
    for (const [id, c] of this.conversations) if (!providers.has(c.providerId) || (c.route !== undefined && !routes.has(c.route))) this.conversations.delete(id)
  }
}
