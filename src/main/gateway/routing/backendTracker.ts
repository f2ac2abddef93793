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
import { Ewma } from './ewma'
import { PrefixIndex } from './prefixIndex'
import type { PromptShape } from './promptShape'

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

/** Counters captured when a backend's load was read, to correct the report for what happened since. */
export interface LoadMark {
  dispatched: number
  completed: number
}

/** One attempt on one backend, from dispatch to its end. */
export interface Flight {
  readonly providerId: string
  readonly key: string
  readonly route?: string
  readonly dispatchedAt: number
  firstByteAt?: number
  ended: boolean
  uncachedTokens: number
  /** Estimated prefill time at dispatch. */
  workMs: number
  /**
   * Its time to first token measures prefill speed: nothing cached to guess the size of, no batch
   * slot expected to be missing.
   */
  measuresPrefill: boolean
}

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

const SAMPLE_MIN_TOKENS = 512
const MAX_FLIGHTS_PER_PROVIDER = 10_000
const MAX_ROUTE_COUNTERS = 4096

class ProviderActivity {
  /** Insertion order = dispatch order. */
  readonly flights = new Set<Flight>()
  dispatched = 0
  completed = 0
  lastFirstByteAt = -Infinity
  /** Batch size, learned from load reports that showed a queue. */
  slots?: number
  /** Most of our attempts seen past their first token at once (a lower bound of the batch size). */
  maxDecoding = 0
}

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
  private readonly conversations = new Map<string, ConversationPin>()
  private readonly routes = new Map<string, RouteTargetCounters>()

  constructor(opts: TrackerOptions = {}) {
    this.opts = { ...DEFAULT_TRACKER_OPTIONS, ...opts }
  }

  /** Requests of ours in flight at a provider (dispatched, not ended). */
  inFlight(providerId: string, now?: number): number {
    const act = this.providers.get(providerId)
    if (!act) return 0
    if (now !== undefined) this.expire(act, now)
    return act.flights.size
  }

  mark(providerId: string): LoadMark {
    const act = this.activity(providerId)
    return { dispatched: act.dispatched, completed: act.completed }
  }

  /**
   * A load report corrected for what we did since it was read: our dispatches since then are
   * running (or waiting, when the batch is full), our completions since then are gone.
   */
  corrected(providerId: string, load: BackendLoad, mark: LoadMark | undefined): BackendLoad {
    if (!mark || (load.running === undefined && load.waiting === undefined)) return load
    const act = this.activity(providerId)
    const delta = act.dispatched - mark.dispatched - (act.completed - mark.completed)
    if (delta === 0) return load
    let running = load.running ?? 0
    let waiting = load.waiting ?? 0
    const total = Math.max(0, running + waiting + delta)
    if (act.slots !== undefined) {
      running = Math.min(total, act.slots)
      waiting = total - running
    } else if (delta > 0) {
      if (waiting > 0) waiting += delta
      else running += delta
    } else {
      waiting += delta
      if (waiting < 0) {
        running = Math.max(0, running + waiting)
        waiting = 0
      }
    }
    return { ...load, running, waiting }
  }

  /** A fresh load report arrived: learn the batch size from it when it shows a queue. */
  observeLoad(providerId: string, load: BackendLoad): void {
    const running = load.running ?? 0
    if ((load.waiting ?? 0) > 0 && running > 0) {
      const act = this.activity(providerId)
      act.slots = Math.max(act.slots ?? 0, running)
    }
  }

  /** The estimates the cache-aware strategy ranks; `load` already corrected. */
  facts(c: Candidate, shape: PromptShape, load: BackendLoad | undefined, now: number): CandidateFacts {
    const model = this.model(c.key)
    const act = this.activity(c.providerId)
    this.expire(act, now)
    if (load?.cacheCapacityTokens) model.index.resize(load.cacheCapacityTokens)
    const cold = load?.modelLoaded === false
    if (cold) model.index.clear() // an unloaded model (or a sleeping engine) kept no cache
    const home = shape.conversation !== undefined && this.conversations.get(shape.conversation)?.key === c.key
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
      queueMs: this.queueMs(act, model, load, now),
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
    return this.conversations.get(conversation)?.key
  }

  /**
   * The attempt was sent. `shape` (when known) now sits in that backend's cache; the conversation
   * (from the shape, else as given) now lives there.
   */
  dispatch(c: Candidate, req: { shape?: PromptShape; conversation?: string }, route: string | undefined, load: BackendLoad | undefined, now: number): Flight {
    const act = this.activity(c.providerId)
    this.expire(act, now)
    const model = this.model(c.key)
    const { shape } = req
    let uncachedTokens = 0
    let cachedTokens = 0
    if (shape) {
      const f = this.facts(c, shape, load, now)
      cachedTokens = Math.min(f.cachedTokens, shape.promptTokens)
      uncachedTokens = shape.promptTokens - cachedTokens
      model.index.touch(shape)
      this.count(route, c, shape.promptTokens, cachedTokens)
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
        this.slotWaitMs(act, model, load, now) === 0 &&
        (load?.waiting ?? 0) === 0 &&
        act.flights.size < (act.slots ?? Math.max(1, act.maxDecoding)),
    }
    act.flights.add(flight)
    act.dispatched++
    if (act.flights.size > MAX_FLIGHTS_PER_PROVIDER) this.finish(act, act.flights.values().next().value!)
    return flight
  }

  /** The first byte of the answer arrived: prefill is over. Learns the prefill speed when the sample is clean. */
  firstByte(f: Flight, now: number): void {
    if (f.ended || f.firstByteAt !== undefined) return
    const act = this.activity(f.providerId)
    const model = this.model(f.key)
    // A clean sample also needs no earlier attempt of ours still waiting for its first token.
    let head = true
    for (const g of act.flights) {
      if (g === f) break
      if (g.firstByteAt === undefined) {
        head = false
        break
      }
    }
    if (head && f.measuresPrefill) {
      const service = now - Math.max(f.dispatchedAt, act.lastFirstByteAt)
      if (f.uncachedTokens >= SAMPLE_MIN_TOKENS) model.prefill.add(Math.max(0, service - model.overhead.value) / f.uncachedTokens)
      else model.overhead.add(service)
    }
    f.firstByteAt = now
    act.lastFirstByteAt = Math.max(act.lastFirstByteAt, now)
    let decoding = 0
    for (const g of act.flights) if (g.firstByteAt !== undefined) decoding++
    act.maxDecoding = Math.max(act.maxDecoding, decoding)
  }

  /** The attempt is over (answered, failed or abandoned). */
  end(f: Flight, now: number, ok: boolean): void {
    if (f.ended) return
    const act = this.activity(f.providerId)
    if (ok && f.firstByteAt !== undefined) this.model(f.key).decode.add(now - f.firstByteAt)
    this.finish(act, f)
  }

  /** Conversations by most recent first (at most `limit`). */
  pins(limit = 100): ConversationPin[] {
    const out: ConversationPin[] = []
    const all = [...this.conversations.values()]
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) out.push({ ...all[i]! })
    return out
  }

  routeCounters(): RouteTargetCounters[] {
    return [...this.routes.values()].map((r) => ({ ...r }))
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
    for (const [id, c] of this.routes) if (!r.has(c.route) || !p.has(c.providerId)) this.routes.delete(id)
    for (const [id, c] of this.conversations) if (!p.has(c.providerId) || (c.route !== undefined && !r.has(c.route))) this.conversations.delete(id)
  }

  private queueMs(act: ProviderActivity, model: ModelState, load: BackendLoad | undefined, now: number): number {
    return Math.max(this.prefillBacklogMs(act, now), this.slotWaitMs(act, model, load, now))
  }

  /** Our prefills not done yet there, served one after the other since the first of them could start. */
  private prefillBacklogMs(act: ProviderActivity, now: number): number {
    let work = 0
    let start: number | undefined
    for (const f of act.flights) {
      if (f.firstByteAt !== undefined) continue
      start ??= Math.max(f.dispatchedAt, act.lastFirstByteAt)
      work += f.workMs
    }
    return start === undefined ? 0 : Math.max(0, work - (now - start))
  }

  /**
   * Time until a batch slot frees for one more request, when the backend reports its load and the
   * batch is full: the q-th of our running answers to end (by their expected remaining decode
   * time), else q × decode time / slots.
   */
  private slotWaitMs(act: ProviderActivity, model: ModelState, load: BackendLoad | undefined, now: number): number {
    if (!load || (load.running === undefined && load.waiting === undefined)) return 0
    const running = load.running ?? 0
    const waiting = load.waiting ?? 0
    const decodeMs = model.decode.value
    let position: number
    let slots: number
    if (act.slots !== undefined) {
      slots = act.slots
      position = running + waiting - slots + 1
    } else {
      if (waiting === 0) return 0
      slots = Math.max(1, running)
      position = waiting + 1
    }
    if (position <= 0) return 0
    const remaining: number[] = []
    for (const f of act.flights) {
      if (f.firstByteAt === undefined) continue
      remaining.push(Math.max(decodeMs * 0.1, decodeMs - (now - f.firstByteAt)))
    }
    if (remaining.length >= position && remaining.length >= slots) {
      remaining.sort((a, b) => a - b)
      return remaining[position - 1]!
    }
    return (position * decodeMs) / slots
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
    const prev = this.conversations.get(id)
    if (prev) {
      this.conversations.delete(id)
      this.models.get(prev.key)?.dropSession(id)
    } else if (this.conversations.size >= this.opts.maxConversations) {
      const [oldest, pin] = this.conversations.entries().next().value!
      this.conversations.delete(oldest)
      this.models.get(pin.key)?.dropSession(oldest)
    }
    this.model(c.key).setSession(id, now, promptTokens)
    this.conversations.set(id, {
      conversation: id,
      route,
      key: c.key,
      providerId: c.providerId,
      turns: (prev?.turns ?? 0) + 1,
      moves: (prev?.moves ?? 0) + (prev && prev.key !== c.key ? 1 : 0),
      lastAt: now,
    })
  }

  private count(route: string | undefined, c: Candidate, promptTokens: number, cachedTokens: number): void {
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

  private finish(act: ProviderActivity, f: Flight): void {
    f.ended = true
    if (act.flights.delete(f)) act.completed++
  }

  private expire(act: ProviderActivity, now: number): void {
    for (const f of act.flights) {
      if (now - f.dispatchedAt <= this.opts.maxFlightAgeMs) break
      this.finish(act, f)
    }
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
