// What Switchyard itself knows about each backend, kept from the requests it sends there: what is
// in flight (and which of it still waits for its first token), how fast prefill and decode have
// been, which prompt prefixes the backend ran lately (PrefixIndex), where each conversation went.
// From that and the backend's own last load report it estimates, per candidate, what a request
// would wait and how much of its prompt is cached (facts), which the cache-aware strategy ranks.
//
// Everything is fed through RequestPlan (dispatch at take(), first byte at commit(), end at
// settle()/report()) and read with an injected `now`: no timers, no I/O. Every collection is
// bounded: flights expire after maxFlightAgeMs (an attempt whose end was never reported must not
// count forever), conversations and route counters are capped.
import type { BackendLoad, Candidate, CandidateFacts } from './candidates'
import { ConversationBook, type ConversationPin, type RouteTargetCounters } from './conversationBook'
import { Ewma } from './ewma'
import { PrefixIndex } from './prefixIndex'
import type { PromptShape } from './promptShape'
import { ProviderActivity, type Flight, type LoadMark } from './providerActivity'

export type { ConversationPin, Flight, LoadMark, RouteTargetCounters }

export interface TrackerOptions {
  /** Prefill time per uncached token until measured; default 0.1 ms (10k tokens/s). */
  prefillMsPerToken?: number
  /** Fixed part of a time to first token until measured; default 25 ms. */
  overheadMs?: number
  /** Time from first token to the end of a response until measured; default 5 s. */
  decodeMs?: number
  /** What a cold model costs before its first token (loading it); default 15 s. */
  coldLoadMs?: number
  /** Prefix-cache size assumed when the backend does not report one; default 128k tokens. */
  cacheTokens?: number
  /** An attempt whose end was never reported stops counting after this long; default 30 min. */
  maxFlightAgeMs?: number
  /** Conversations remembered (for "where it went last" and the dashboard); default 4096. */
  maxConversations?: number
  /** A conversation counts as living on its backend this long after its last request; default 60 s. */
  activeMs?: number
  /** Batch slots assumed until a load report shows a queue; default 4. */
  slots?: number
}

const SAMPLE_MIN_TOKENS = 512

class ModelState {
  readonly prefill: Ewma
  readonly overhead: Ewma
  readonly decode: Ewma
  readonly index: PrefixIndex
  /** Conversations living here: id -> last request and its prompt tokens, oldest first. */
  readonly sessions = new Map<string, { at: number; tokens: number }>()
  /** Sum of `tokens` over `sessions`. */
  workingSet = 0

  dropSession(id: string): void {
    const s = this.sessions.get(id)
    if (!s) return
    this.sessions.delete(id)
    this.workingSet -= s.tokens
  }

  setSession(id: string, at: number, tokens: number): void {
    this.dropSession(id)
    this.sessions.set(id, { at, tokens })
    this.workingSet += tokens
  }

  constructor(o: Required<TrackerOptions>) {
    this.prefill = new Ewma(o.prefillMsPerToken)
    this.overhead = new Ewma(o.overheadMs)
    this.decode = new Ewma(o.decodeMs)
    this.index = new PrefixIndex(o.cacheTokens)
  }
}

export const DEFAULT_TRACKER_OPTIONS: Required<TrackerOptions> = {
  prefillMsPerToken: 0.1,
  overheadMs: 25,
  decodeMs: 5_000,
  coldLoadMs: 15_000,
  cacheTokens: 128 * 1024,
  maxFlightAgeMs: 30 * 60_000,
  maxConversations: 4096,
  activeMs: 60_000,
  slots: 4,
}

export class BackendTracker {
  private readonly opts: Required<TrackerOptions>
  private readonly providers = new Map<string, ProviderActivity>()
  private readonly models = new Map<string, ModelState>()
  private readonly book: ConversationBook

  constructor(opts: TrackerOptions = {}) {
    this.opts = { ...DEFAULT_TRACKER_OPTIONS, ...opts }
    this.book = new ConversationBook(this.opts.maxConversations)
  }

  /** Requests of ours in flight at a provider (dispatched, not ended). */
  inFlight(providerId: string, now?: number): number {
    const act = this.providers.get(providerId)
    if (!act) return 0
    if (now !== undefined) act.expire(now, this.opts.maxFlightAgeMs)
    return act.flights.size
  }

  mark(providerId: string): LoadMark {
    return this.activity(providerId).mark()
  }

  /** A load report corrected for what we sent and saw finish since it was read (ProviderActivity.corrected). */
  corrected(providerId: string, load: BackendLoad, mark: LoadMark | undefined): BackendLoad {
    return this.activity(providerId).corrected(load, mark)
  }

  /** A fresh load report arrived: learn the batch size from it when it shows a queue. */
  observeLoad(providerId: string, load: BackendLoad): void {
    this.activity(providerId).observeLoad(load)
  }

  /** The estimates the cache-aware strategy ranks; `load` already corrected. */
  facts(c: Candidate, shape: PromptShape, load: BackendLoad | undefined, now: number): CandidateFacts {
    const model = this.model(c.key)
    const act = this.activity(c.providerId)
    act.expire(now, this.opts.maxFlightAgeMs)
    if (load?.cacheCapacityTokens) model.index.resize(load.cacheCapacityTokens)
    const cold = load?.modelLoaded === false
    if (cold) model.index.clear() // an unloaded model (or a sleeping engine) kept no cache
    const home = shape.conversation !== undefined && this.book.homeOf(shape.conversation)?.key === c.key
    const match = model.index.match(shape)
    let cachedTokens = match.tokens
    // The answer of the last turn was generated there, so its tokens are in that cache too.
    if (home && match.blocks > 0 && shape.assistant[match.blocks]) cachedTokens = shape.tokensThrough[match.blocks]!
    const sessions = this.activeSessions(model, now) + (home ? 0 : 1)
    const living = model.sessions.get(shape.conversation ?? '')?.tokens ?? 0
    const workingSet = model.workingSet - living + shape.promptTokens
    return {
      promptTokens: shape.promptTokens,
      cachedTokens,
      queueMs: Math.max(act.prefillBacklogMs(now), act.slotWaitMs(load, model.decode.value, now)),
      prefillMsPerToken: model.prefill.value,
      overheadMs: model.overhead.value,
      coldMs: cold ? this.opts.coldLoadMs : 0,
      sessionLoadMs: (sessions * model.decode.value) / (act.slots ?? this.opts.slots),
      cacheOverflowTokens: Math.max(0, workingSet - model.index.capacityTokens),
      home,
    }
  }

  /** The candidate key where a conversation went last. */
  homeOf(conversation: string): string | undefined {
    return this.book.homeOf(conversation)?.key
  }

  /**
   * The attempt was sent. `shape` (when known) now sits in that backend's cache; the conversation
   * (from the shape, else as given) now lives there.
   */
  dispatch(c: Candidate, req: { shape?: PromptShape; conversation?: string }, route: string | undefined, load: BackendLoad | undefined, now: number): Flight {
    const act = this.activity(c.providerId)
    act.expire(now, this.opts.maxFlightAgeMs)
    const model = this.model(c.key)
    const { shape } = req
    let uncachedTokens = 0
    let cachedTokens = 0
    if (shape) {
      const f = this.facts(c, shape, load, now)
      cachedTokens = Math.min(f.cachedTokens, shape.promptTokens)
      uncachedTokens = shape.promptTokens - cachedTokens
      model.index.touch(shape)
      this.book.count(route, c, shape.promptTokens, cachedTokens)
    }
    const conversation = shape?.conversation ?? req.conversation
    if (conversation !== undefined) this.pin(conversation, shape?.promptTokens ?? 0, c, route, now)
    const flight: Flight = {
      providerId: c.providerId,
      key: c.key,
      route,
      dispatchedAt: now,
      ended: false,
      uncachedTokens,
      workMs: model.overhead.value + uncachedTokens * model.prefill.value,
      measuresPrefill:
        shape !== undefined &&
        cachedTokens === 0 &&
        act.slotWaitMs(load, model.decode.value, now) === 0 &&
        (load?.waiting ?? 0) === 0 &&
        act.flights.size < (act.slots ?? Math.max(1, act.maxDecoding)),
    }
    act.add(flight)
    return flight
  }

  /** The first byte of the answer arrived: prefill is over. Learns the prefill speed when the sample is clean. */
  firstByte(f: Flight, now: number): void {
    if (f.ended || f.firstByteAt !== undefined) return
    const act = this.activity(f.providerId)
    const model = this.model(f.key)
    // A clean sample also needs no earlier attempt of ours still waiting for its first token.
    if (f.measuresPrefill && act.isHead(f)) {
      const service = now - Math.max(f.dispatchedAt, act.lastFirstByteAt)
      if (f.uncachedTokens >= SAMPLE_MIN_TOKENS) model.prefill.add(Math.max(0, service - model.overhead.value) / f.uncachedTokens)
      else model.overhead.add(service)
    }
    act.firstByte(f, now)
  }

  /** The attempt is over (answered, failed or abandoned). */
  end(f: Flight, now: number, ok: boolean): void {
    if (f.ended) return
    const act = this.activity(f.providerId)
    if (ok && f.firstByteAt !== undefined) this.model(f.key).decode.add(now - f.firstByteAt)
    act.finish(f)
  }

  /** Conversations by most recent first (at most `limit`). */
  pins(limit = 100): ConversationPin[] {
    return this.book.pins(limit)
  }

  routeCounters(): RouteTargetCounters[] {
    return this.book.routeCounters()
  }

  /** Speeds and queue as Switchyard sees them (for the dashboard and tests). */
  estimates(key: string): { prefillMsPerToken: number; overheadMs: number; decodeMs: number; samples: number; cachedTokens: number } | undefined {
    const m = this.models.get(key)
    return m && { prefillMsPerToken: m.prefill.value, overheadMs: m.overhead.value, decodeMs: m.decode.value, samples: m.prefill.samples, cachedTokens: m.index.sizeTokens }
  }

  /** Drops state of providers and routes no longer configured. */
  retain(providerIds: Iterable<string>, routes: Iterable<string>): void {
    const p = new Set(providerIds)
    const r = new Set(routes)
    const providerOf = (key: string) => key.slice(0, key.indexOf('/'))
    for (const id of this.providers.keys()) if (!p.has(id)) this.providers.delete(id)
    for (const key of this.models.keys()) if (!p.has(providerOf(key))) this.models.delete(key)
    this.book.retain(p, r)
  }

  /** Conversations that sent a request to this target within activeMs. */
  private activeSessions(model: ModelState, now: number): number {
    for (const [id, s] of model.sessions) {
      if (now - s.at <= this.opts.activeMs) break
      model.dropSession(id)
    }
    return model.sessions.size
  }

  private pin(id: string, promptTokens: number, c: Candidate, route: string | undefined, now: number): void {
    const { previous, forgotten } = this.book.pin(id, c, route, now)
    if (previous) this.models.get(previous.key)?.dropSession(id)
    if (forgotten) this.models.get(forgotten.key)?.dropSession(forgotten.conversation)
    this.model(c.key).setSession(id, now, promptTokens)
  }

  private activity(providerId: string): ProviderActivity {
    let act = this.providers.get(providerId)
    if (!act) {
      act = new ProviderActivity()
      this.providers.set(providerId, act)
    }
    return act
  }

  private model(key: string): ModelState {
    let m = this.models.get(key)
    if (!m) {
      m = new ModelState(this.opts)
      this.models.set(key, m)
    }
    return m
  }
}
