// The agent-session workload: coding agents, each a conversation of several turns. A turn sends
// the whole conversation so far (system prompt, the user's task, then every answer and tool
// result), streams an answer, then runs tools for a while before the next turn. Deterministic for
// a seed.
//
// A prompt is a list of segments; a segment is one message with a token count and a content
// identity. The simulated backends cache tokens by segment identity (block-granular); the router
// sees the same segments as OpenAI chat messages whose text is unique per segment and about 4
// characters per token long, so its own estimates are estimates, as with real text.

/** mulberry32: small, fast, deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function uniform(random: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * random()
}

export interface Segment {
  id: number
  role: 'system' | 'user' | 'assistant' | 'tool'
  tokens: number
  /** The message as a client sends it (text ~4 characters per token, unique to the segment). */
  message: { role: string; content: string }
}

export interface WorkloadOptions {
  sessions: number
  turns: number
  /** System prompt tokens, uniform in [lo, hi]. */
  systemTokens: [number, number]
  /** 0: every session has its own system prompt; k > 0: sessions share k system prompts. */
  sharedSystemPrompts: number
  firstUserTokens: [number, number]
  /** Tool result / user message added before each later turn. */
  toolTokens: [number, number]
  outputTokens: [number, number]
  /** Tool time between the end of an answer and the next turn. */
  thinkMs: [number, number]
  /** Sessions start uniformly within this window. */
  startWindowMs: number
}

export const DEFAULT_WORKLOAD: WorkloadOptions = {
  sessions: 16,
  turns: 8,
  systemTokens: [6000, 8000],
  sharedSystemPrompts: 0,
  firstUserTokens: [200, 1200],
  toolTokens: [100, 1500],
  outputTokens: [40, 400],
  thinkMs: [2000, 10000],
  startWindowMs: 10_000,
}

/** One session's script: everything random about it is drawn up front, so policies see the same work. */
export interface SessionScript {
  index: number
  startAt: number
  system: Segment
  firstUser: Segment
  /** turns - 1 tool results, one before each later turn. */
  tools: Segment[]
  /** Output tokens of each turn. */
  outputs: number[]
  /** Tool time after each turn. */
  thinks: number[]
}

const FILLER = (() => {
  const random = seededRandom(0xf111e5)
  const words = ['the', 'function', 'returns', 'value', 'file', 'src', 'import', 'const', 'error', 'test', 'build', 'type', 'await', 'config', 'route']
  let s = ''
  while (s.length < 64 * 1024) s += words[Math.floor(random() * words.length)] + (random() < 0.1 ? '\n' : ' ')
  return s
})()

/** Text of `tokens` × 4 characters, unique to `id` at its start and end. */
export function textFor(id: number, tokens: number): string {
  const tag = `⟨${id}⟩`
  const body = Math.max(0, tokens * 4 - 2 * tag.length)
  let text = ''
  let offset = (id * 7919) % 4096
  while (text.length < body) {
    const take = Math.min(body - text.length, FILLER.length - offset)
    text += FILLER.slice(offset, offset + take)
    offset = 0
  }
  return tag + text + tag
}

export class SegmentFactory {
  private next = 1
  make(role: Segment['role'], tokens: number): Segment {
    const id = this.next++
    const t = Math.max(1, Math.round(tokens))
    return { id, role, tokens: t, message: { role: role === 'tool' ? 'user' : role, content: textFor(id, t) } }
  }
}

export function buildWorkload(seed: number, opts: WorkloadOptions = DEFAULT_WORKLOAD): { sessions: SessionScript[]; segments: SegmentFactory } {
  const random = seededRandom(seed)
  const segments = new SegmentFactory()
  const shared = Array.from({ length: opts.sharedSystemPrompts }, () => segments.make('system', uniform(random, ...opts.systemTokens)))
  const sessions: SessionScript[] = []
  for (let i = 0; i < opts.sessions; i++) {
    const system = shared.length > 0 ? shared[Math.floor(random() * shared.length)]! : segments.make('system', uniform(random, ...opts.systemTokens))
    sessions.push({
      index: i,
      startAt: Math.round(uniform(random, 0, opts.startWindowMs)),
      system,
      firstUser: segments.make('user', uniform(random, ...opts.firstUserTokens)),
      tools: Array.from({ length: opts.turns - 1 }, () => segments.make('tool', uniform(random, ...opts.toolTokens))),
      outputs: Array.from({ length: opts.turns }, () => Math.round(uniform(random, ...opts.outputTokens))),
      thinks: Array.from({ length: opts.turns }, () => Math.round(uniform(random, ...opts.thinkMs))),
    })
  }
  return { sessions, segments }
}
