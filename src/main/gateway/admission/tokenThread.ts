// The gateway's token counter (`defaultTokenCounter`): gpt-tokenizer's encodings load and count in
// a worker thread (tokenWorker.ts), never on the event loop. Loading o200k there takes the same
// 0.3-1.2 s and ~35 MB, but no request or chunk waits for it.
//
// - count() is synchronous and never waits: the character heuristic (within a few per cent of
//   o200k on English prose, code and tool schemas; over on CJK and accented text, the safe side
//   for a TPM reservation, which the backend's reported usage replaces at the end).
// - countAsync() is exact (long texts sampled, as TokenCounter does): the worker answers. Usage
//   estimates for streams cut short use it; anything that may wait can.
// - warmUp() starts the worker and loads an encoding there; isReady() says whether it has.
// Without a worker script (sources run without one, or it cannot start) it is the in-process
// TokenCounter of before: exact count() once loaded, loading on this thread. A worker that dies
// answers its open counts with the heuristic and is started again on the next use; after three
// deaths the in-process counter takes over.
import { Worker } from 'node:worker_threads'
import type { EncodingName, TokenCounter, TokenCounting } from './tokenCounter'
import type { TokenReply, TokenRequest } from './tokenWorker'
import { EXACT_MAX_CHARS, sampleText } from './tokenSampling'

const MAX_DEATHS = 3

export interface TokenThreadDeps {
  /** Path of the built tokenWorker.js, or undefined when there is none. */
  script: () => string | undefined
  /** The in-process counter for when no worker can run. */
  local: () => TokenCounter
  /** The character heuristic over texts joined by newlines (heuristicTokensOfParts). */
  heuristic: (parts: readonly string[]) => number
}

interface Pending {
  resolve: (value: number) => void
  /** Answer for a count whose worker died (the heuristic); 0 for a warm-up (false). */
  fallback: number
}

export class TokenThread implements TokenCounting {
  private worker: Worker | undefined
  private localCounter: TokenCounter | undefined
  private readonly pending = new Map<number, Pending>()
  private readonly ready = new Set<EncodingName>()
  private readonly warming = new Map<EncodingName, Promise<boolean>>()
  private nextId = 0
  private deaths = 0
  /** The worker script, looked up once (null: none). */
  private script: string | null | undefined

  constructor(private readonly deps: TokenThreadDeps) {}

  count(text: string, encoding: EncodingName = 'o200k_base'): number {
    if (text.length === 0) return 0
    if (this.localCounter || this.scriptPath() === null) return this.local().count(text, encoding)
    return this.deps.heuristic([text])
  }

  countParts(parts: readonly string[], encoding: EncodingName = 'o200k_base'): number {
    if (this.localCounter || this.scriptPath() === null) return this.local().countParts(parts, encoding)
    return this.deps.heuristic(parts)
  }

  countAsync(text: string, encoding: EncodingName = 'o200k_base'): Promise<number> {
    if (text.length === 0) return Promise.resolve(0)
    const worker = this.thread()
    if (!worker) return this.local().countAsync(text, encoding)
    // A long text is counted on samples anyway: only they cross (a 32 MB body is not copied).
    const request: TokenRequest = text.length > EXACT_MAX_CHARS ? { t: 'sampled', id: 0, samples: sampleText(text), length: text.length, encoding } : { t: 'count', id: 0, text, encoding }
    return this.ask(worker, request, this.deps.heuristic([text]))
  }

  warmUp(encoding: EncodingName = 'o200k_base'): Promise<boolean> {
    const worker = this.thread()
    if (!worker) return this.local().warmUp(encoding)
    let warming = this.warming.get(encoding)
    if (!warming) {
      warming = this.ask(worker, { t: 'warm', id: 0, encoding }, 0).then((ok) => {
        if (ok === 1) this.ready.add(encoding)
        else this.warming.delete(encoding) // died or failed: a later warm-up may try again
        return ok === 1
      })
      this.warming.set(encoding, warming)
    }
    return warming
  }

  warmUpCount(encoding: EncodingName = 'o200k_base'): void {
    if (this.localCounter || this.scriptPath() === null) this.local().warmUpCount(encoding)
  }

  isReady(encoding: EncodingName = 'o200k_base'): boolean {
    return this.localCounter ? this.localCounter.isReady(encoding) : this.ready.has(encoding)
  }

  /** Ends the worker (tests; the gateway keeps it for the process's life, unref'd). */
  async close(): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    await worker?.terminate()
  }

  private scriptPath(): string | null {
    if (this.script === undefined) this.script = this.deps.script() ?? null
    return this.script
  }

  private local(): TokenCounter {
    return (this.localCounter ??= this.deps.local())
  }

  /** The worker, started on first use; undefined once counting stays on this thread. */
  private thread(): Worker | undefined {
    if (this.localCounter) return undefined
    if (this.worker) return this.worker
    const script = this.scriptPath()
    if (script === null) return undefined
    try {
      const worker = new Worker(script, { name: 'switchyard-tokenizer' })
      worker.unref()
      worker.on('message', (m: TokenReply) => this.answer(m))
      worker.on('error', () => undefined) // 'exit' follows
      worker.on('exit', () => this.died(worker))
      this.worker = worker
      return worker
    } catch {
      this.deaths = MAX_DEATHS
      return undefined
    }
  }

  private ask(worker: Worker, request: TokenRequest, fallback: number): Promise<number> {
    const id = ++this.nextId
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, fallback })
      // While an answer is owed, the worker keeps the process alive (a row may wait on it at shutdown).
      if (this.pending.size === 1) worker.ref()
      worker.postMessage({ ...request, id })
    })
  }

  private answer(m: TokenReply): void {
    const p = this.pending.get(m.id)
    if (!p) return
    this.pending.delete(m.id)
    if (this.pending.size === 0) this.worker?.unref()
    p.resolve(m.value)
  }

  private died(worker: Worker): void {
    if (worker !== this.worker) return
    this.worker = undefined
    this.ready.clear()
    this.warming.clear()
    for (const p of this.pending.values()) p.resolve(p.fallback)
    this.pending.clear()
    if (++this.deaths >= MAX_DEATHS) this.local()
  }
}
