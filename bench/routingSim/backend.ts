// A vLLM-like backend on a simulated clock:
//
// - `slots` batch slots; requests beyond them wait in a FIFO queue (vllm:num_requests_waiting);
// - an admitted request first needs its prompt prefilled: prefills run one at a time, in admission
//   order, taking overheadMs + uncached tokens / prefill rate; the first token comes out then;
// - then it decodes its output at decodeMsPerToken per token (continuous batching: decodes of
//   different requests do not slow each other here) and frees its slot;
// - a prefix cache of `cacheTokens` tokens in blocks of `blockSize`: a block is identified by the
//   chain of everything before it, only full blocks are cached, a request's blocks are pinned while
//   it runs and join an LRU list when it ends (tail blocks evicted before head blocks, as vLLM
//   frees them); a request is admitted only when its blocks fit;
// - a model that is not resident (vLLM asleep) is loaded on the first request, taking loadMs;
// - /metrics in vLLM's names and label layout (num_requests_running/waiting, kv_cache_usage_perc
//   and the older gpu_cache_usage_perc, cache_config_info, engine_sleep_state).
//
// The backend keeps its own event times (nextEventAt/advance) and can be cloned, so the oracle
// can play a request forward on a copy and see exactly when its first token would come.
import type { Segment } from './workload'

export interface BackendSpec {
  id: string
  slots: number
  cacheTokens: number
  blockSize: number
  prefillTokensPerSec: number
  decodeMsPerToken: number
  overheadMs: number
  resident: boolean
  loadMs: number
  model: string
}

export interface SimRequest {
  id: number
  /** When the gateway sent it (TTFT counts from here). */
  sentAt: number
  promptTokens: number
  outputTokens: number
  /** Chained keys of the full blocks of prompt + output, prompt's first. */
  blockKeys: number[]
  /** How many of blockKeys belong to the prompt. */
  promptBlocks: number
  // filled in by the backend
  cachedTokens: number
  firstTokenAt?: number
  doneAt?: number
}

export interface BackendListener {
  firstToken(r: SimRequest, at: number): void
  done(r: SimRequest, at: number): void
}

/** Chained block keys of a token stream made of segments (only full blocks). */
export function blockKeysOf(segments: readonly Pick<Segment, 'id' | 'tokens'>[], blockSize: number): number[] {
  const keys: number[] = []
  let key = 0x12345
  let fill = 0
  for (const s of segments) {
    let left = s.tokens
    let offset = 0
    while (left > 0) {
      const take = Math.min(left, blockSize - fill)
      key = mix(mix(mix(key, s.id), offset), take)
      fill += take
      offset += take
      left -= take
      if (fill === blockSize) {
        keys.push(key)
        fill = 0
      }
    }
  }
  return keys
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x01000193)
  h ^= h >>> 15
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h >>> 0
}

interface Running {
  r: SimRequest
  /** Blocks this request pins (cache keys) plus its partial, uncached block. */
  pinned: number[]
  decodeEndAt?: number
}

export class SimBackend {
  readonly spec: BackendSpec
  private waiting: SimRequest[] = []
  private running = new Map<number, Running>()
  private prefillQueue: Running[] = []
  private prefillDoneAt: number | undefined
  private prefilling: Running | undefined
  private loadingUntil: number | undefined
  private resident: boolean
  /** Cached block key -> pin count; unpinned keys are also in `lru` (first = least recently used). */
  private refs = new Map<number, number>()
  private lru = new Map<number, true>()
  /** Blocks in use by running requests that are not cacheable (partial tails). */
  private anonymous = 0
  readonly capacityBlocks: number
  listener?: BackendListener
  // counters
  promptTokens = 0
  cachedTokens = 0
  requests = 0

  constructor(spec: BackendSpec) {
    this.spec = spec
    this.resident = spec.resident
    this.capacityBlocks = Math.floor(spec.cacheTokens / spec.blockSize)
  }

  clone(): SimBackend {
    const c = new SimBackend(this.spec)
    // Requests are copied too: the copy's events must not touch the real ones.
    c.waiting = this.waiting.map((r) => ({ ...r }))
    const map = new Map<Running, Running>()
    for (const [id, run] of this.running) {
      const copy = { ...run, r: { ...run.r } }
      map.set(run, copy)
      c.running.set(id, copy)
    }
    c.prefillQueue = this.prefillQueue.map((run) => map.get(run)!)
    c.prefilling = this.prefilling && map.get(this.prefilling)
    c.prefillDoneAt = this.prefillDoneAt
    c.loadingUntil = this.loadingUntil
    c.resident = this.resident
    c.refs = new Map(this.refs)
    c.lru = new Map(this.lru)
    c.anonymous = this.anonymous
    return c
  }

  get queueLength(): number {
    return this.waiting.length
  }

  get runningCount(): number {
    return this.running.size
  }

  submit(r: SimRequest, now: number): void {
    this.requests++
    this.waiting.push(r)
    if (!this.resident && this.loadingUntil === undefined) this.loadingUntil = now + this.spec.loadMs
    this.admit(now)
  }

  nextEventAt(): number {
    let t = Infinity
    if (this.loadingUntil !== undefined) t = Math.min(t, this.loadingUntil)
    if (this.prefillDoneAt !== undefined) t = Math.min(t, this.prefillDoneAt)
    for (const run of this.running.values()) if (run.decodeEndAt !== undefined && run.decodeEndAt < t) t = run.decodeEndAt
    return t
  }

  /** Processes every event at or before `t`, in time order. */
  advance(t: number): void {
    for (let guard = 0; guard < 100_000; guard++) {
      const at = this.nextEventAt()
      if (at > t) return
      this.step(at)
    }
    throw new Error(`${this.spec.id}: runaway event loop`)
  }

  /** The time `r` would get its first token here if nothing else arrived (on a copy). */
  predictFirstToken(r: SimRequest, now: number): number {
    const copy = this.clone()
    copy.listener = undefined
    const probe: SimRequest = { ...r, cachedTokens: 0, firstTokenAt: undefined, doneAt: undefined }
    copy.submit(probe, now)
    for (let guard = 0; guard < 10_000 && probe.firstTokenAt === undefined; guard++) {
      const at = copy.nextEventAt()
      if (!Number.isFinite(at)) break
      copy.step(at)
    }
    return probe.firstTokenAt ?? Infinity
  }

  private step(at: number): void {
    if (this.loadingUntil !== undefined && this.loadingUntil <= at) {
      this.loadingUntil = undefined
      this.resident = true
      this.admit(at)
      return
    }
    if (this.prefillDoneAt !== undefined && this.prefillDoneAt <= at) {
      const run = this.prefilling!
      this.prefilling = undefined
      this.prefillDoneAt = undefined
      run.r.firstTokenAt = at
      run.decodeEndAt = at + run.r.outputTokens * this.spec.decodeMsPerToken
      this.listener?.firstToken(run.r, at)
      this.pumpPrefill(at)
      return
    }
    for (const [id, run] of this.running) {
      if (run.decodeEndAt !== undefined && run.decodeEndAt <= at) {
        this.running.delete(id)
        this.release(run)
        run.r.doneAt = at
        this.listener?.done(run.r, at)
        this.admit(at)
        return
      }
    }
  }

  private admit(now: number): void {
    if (!this.resident) return
    while (this.waiting.length > 0 && this.running.size < this.spec.slots) {
      const r = this.waiting[0]!
      const run = this.allocate(r)
      if (!run) return // its blocks do not fit yet: FIFO, so nothing behind it goes either
      this.waiting.shift()
      this.running.set(r.id, run)
      this.prefillQueue.push(run)
    }
    this.pumpPrefill(now)
  }

  private pumpPrefill(now: number): void {
    if (this.prefilling || this.prefillQueue.length === 0) return
    const run = this.prefillQueue.shift()!
    const uncached = run.r.promptTokens - run.r.cachedTokens
    this.prefilling = run
    this.prefillDoneAt = now + this.spec.overheadMs + (uncached * 1000) / this.spec.prefillTokensPerSec
  }

  /** Pins the request's cached blocks and allocates the rest; undefined when they do not fit. */
  private allocate(r: SimRequest): Running | undefined {
    let hits = 0
    while (hits < r.promptBlocks && this.refs.has(r.blockKeys[hits]!)) hits++
    let fresh = 0
    let reusedFree = 0
    const seen = new Set<number>()
    for (const key of r.blockKeys) {
      if (seen.has(key)) continue
      seen.add(key)
      const pins = this.refs.get(key)
      if (pins === undefined) fresh++
      else if (pins === 0) reusedFree++
    }
    const pinnedNow = this.refs.size - this.lru.size + this.anonymous
    const free = this.capacityBlocks - pinnedNow - reusedFree
    if (fresh + 1 > free && this.running.size > 0) return undefined
    // Make room: evict least recently used unpinned blocks (never the ones this request reuses).
    const pinned: number[] = []
    for (const key of seen) {
      const pins = this.refs.get(key)
      if (pins !== undefined) {
        if (pins === 0) this.lru.delete(key)
        this.refs.set(key, pins + 1)
        pinned.push(key)
      }
    }
    let over = this.refs.size + fresh + this.anonymous + 1 - this.capacityBlocks
    for (const key of this.lru.keys()) {
      if (over <= 0) break
      this.lru.delete(key)
      this.refs.delete(key)
      over--
    }
    for (const key of seen) {
      if (!this.refs.has(key)) {
        this.refs.set(key, 1)
        pinned.push(key)
      }
    }
    this.anonymous++
    // vLLM always computes at least the last prompt token.
    r.cachedTokens = Math.min(hits * this.spec.blockSize, r.promptTokens - 1)
    this.promptTokens += r.promptTokens
    this.cachedTokens += r.cachedTokens
    return { r, pinned }
  }

  /** Unpins a finished request's blocks: tails join the LRU list first (evicted first). */
  private release(run: Running): void {
    for (let i = run.pinned.length - 1; i >= 0; i--) {
      const key = run.pinned[i]!
      const pins = (this.refs.get(key) ?? 1) - 1
      this.refs.set(key, pins)
      if (pins === 0) this.lru.set(key, true)
    }
    this.anonymous--
  }

  /** kv_cache_usage_perc: blocks held by running requests / all blocks. */
  kvUsage(): number {
    return Math.min(1, (this.refs.size - this.lru.size + this.anonymous) / this.capacityBlocks)
  }

  metricsText(): string {
    const labels = `engine="0",model_name="${this.spec.model}"`
    const kv = this.kvUsage().toFixed(4)
    return [
      '# HELP vllm:num_requests_running Number of requests in model execution batches.',
      '# TYPE vllm:num_requests_running gauge',
      `vllm:num_requests_running{${labels}} ${this.running.size}.0`,
      '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
      '# TYPE vllm:num_requests_waiting gauge',
      `vllm:num_requests_waiting{${labels}} ${this.waiting.length}.0`,
      '# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.',
      '# TYPE vllm:kv_cache_usage_perc gauge',
      `vllm:kv_cache_usage_perc{${labels}} ${kv}`,
      '# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.',
      '# TYPE vllm:gpu_cache_usage_perc gauge',
      `vllm:gpu_cache_usage_perc{${labels}} ${kv}`,
      '# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig',
      '# TYPE vllm:cache_config_info gauge',
      `vllm:cache_config_info{block_size="${this.spec.blockSize}",cache_dtype="auto",enable_prefix_caching="True",engine="0",num_gpu_blocks="${this.capacityBlocks}"} 1.0`,
      '# HELP vllm:engine_sleep_state Engine sleep state; awake = 0 means engine is sleeping; awake = 1 means engine is awake.',
      '# TYPE vllm:engine_sleep_state gauge',
      `vllm:engine_sleep_state{${labels},sleep_state="awake"} ${this.resident ? 1 : 0}.0`,
      `vllm:engine_sleep_state{${labels},sleep_state="weights_offloaded"} ${this.resident ? 0 : 1}.0`,
      '',
    ].join('\n')
  }
}
