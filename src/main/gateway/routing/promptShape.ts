// What cache-aware routing reads from a request body: the prompt as a chain of blocks (tools and
// system prompt, then one block per message), each with a digest of everything up to and
// including it and a token estimate, plus the conversation it belongs to.
//
// A backend's prefix cache holds token prefixes; two prompts share a cached prefix exactly as far
// as their leading blocks are equal, so chained block digests find it: a later turn of a
// conversation, a fork of it, or another conversation with the same system prompt and tools.
//
// Digests are fingerprints, not cryptographic hashes: per string its length, its first and last
// 48 characters and 16 evenly spaced 4-character samples (all of it up to 256 characters). That
// keeps the cost at about a microsecond per message whatever the prompt's size; a false match
// between two long messages at the same place in a conversation, of equal length, head, tail and
// samples, only misjudges where a prefix is cached.
// `cache_control` markers (which Anthropic clients move from turn to turn) are not part of a block.
import type { IncomingHttpHeaders } from 'node:http'
import { SESSION_HEADER } from './affinity'

export interface PromptShape {
  /** digests[i] identifies the prompt up to and including block i. */
  digests: number[]
  /** Estimated prompt tokens up to and including block i. */
  tokensThrough: number[]
  /** Whether block i is an assistant turn (its tokens were generated where the conversation last ran). */
  assistant: boolean[]
  promptTokens: number
  /**
   * The conversation: `s:` session header, `k:` prompt_cache_key, `u:` user id, else `c:` the
   * digest through its first user message (the same on every turn of it).
   */
  conversation?: string
}

const CHARS_PER_TOKEN = 4
const TOKENS_PER_MESSAGE = 4
const TOKENS_PER_IMAGE = 768
const FULL_HASH_CHARS = 256
const EDGE_CHARS = 48
const SAMPLES = 16
const SAMPLE_CHARS = 4
const MAX_NODES_PER_BLOCK = 512
const MAX_DEPTH = 8
const MAX_BLOCKS = 4096
const MAX_KEY_LENGTH = 512
const IMAGE_KEYS: ReadonlySet<string> = new Set(['url', 'data', 'image_url', 'file_data'])

/** Two 32-bit lanes; the state after block i depends on every block up to i (the chain). */
class Fingerprint {
  private a = 0x811c9dc5
  private b = 0x2545f491
  nodes = 0
  chars = 0
  images = 0

  int(n: number): void {
    this.a = Math.imul(this.a ^ (n | 0), 0x01000193)
    this.b = Math.imul(this.b ^ (n | 0), 0x5bd1e995)
    this.b ^= this.b >>> 15
  }

  range(s: string, from: number, to: number): void {
    let a = this.a
    let b = this.b
    for (let i = from; i < to; i++) {
      const c = s.charCodeAt(i)
      a = Math.imul(a ^ c, 0x01000193)
      b = Math.imul(b ^ c, 0x5bd1e995)
      b ^= b >>> 15
    }
    this.a = a
    this.b = b
  }

  string(s: string, image: boolean): void {
    const n = s.length
    this.int(n)
    if (image) this.images++
    else this.chars += n
    if (n <= FULL_HASH_CHARS) {
      this.range(s, 0, n)
      return
    }
    this.range(s, 0, EDGE_CHARS)
    const step = Math.floor((n - 2 * EDGE_CHARS) / SAMPLES)
    for (let k = 0, at = EDGE_CHARS; k < SAMPLES; k++, at += step) this.range(s, at, at + SAMPLE_CHARS)
    this.range(s, n - EDGE_CHARS, n)
  }

  value(v: unknown, depth: number, key: string): void {
    if (++this.nodes > MAX_NODES_PER_BLOCK) return
    if (typeof v === 'string') this.string(v, IMAGE_KEYS.has(key) && v.length > 256)
    else if (typeof v === 'number') this.int(Number.isInteger(v) ? v : Math.round(v * 1e6))
    else if (typeof v === 'boolean') this.int(v ? 0x7fff0001 : 0x7fff0000)
    else if (v === null || typeof v !== 'object' || depth >= MAX_DEPTH) this.int(0x7ffe0000)
    else if (Array.isArray(v)) {
      this.int(0x7ffd0000 + v.length)
      for (const item of v) this.value(item, depth + 1, key)
    } else {
      for (const k in v as Record<string, unknown>) {
        if (k === 'cache_control') continue
        this.int(k.length)
        this.range(k, 0, k.length) // field names are structure, not prompt text: not counted as tokens
        this.value((v as Record<string, unknown>)[k], depth + 1, k)
      }
    }
  }

  /** A 53-bit digest of everything so far (a safe integer, so a cheap Map key). */
  digest(): number {
    return (fmix(this.a) >>> 0) * 0x200000 + (fmix(this.b ^ 0x27d4eb2f) >>> 11)
  }

  /** Starts counting the next block's size (the hash chain goes on). */
  nextBlock(): void {
    this.nodes = 0
    this.chars = 0
    this.images = 0
  }
}

function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h
}

/** The prompt's blocks and conversation; undefined when the body carries no prompt at all. */
export function promptShape(headers: IncomingHttpHeaders, body: Record<string, unknown>): PromptShape | undefined {
  return shapeOf(headers, body, false)
}

/**
 * The conversation a request continues (what promptShape's `conversation` would be), reading the
 * prompt no further than its first user message. Without a caller-given id, only a request that
 * carries an earlier answer continues one: two first turns that happen to be equal are not one
 * conversation with a "last backend".
 */
export function conversationOf(headers: IncomingHttpHeaders, body: Record<string, unknown>): string | undefined {
  const named = callerConversation(headers, body)
  if (named !== undefined) return named
  const messages = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : undefined
  if (!messages?.some((m) => typeof m === 'object' && m !== null && (m as { role?: unknown }).role === 'assistant')) return undefined
  return shapeOf({}, body, true)?.conversation
}

function shapeOf(headers: IncomingHttpHeaders, body: Record<string, unknown>, openingOnly: boolean): PromptShape | undefined {
  const shape: PromptShape = { digests: [], tokensThrough: [], assistant: [], promptTokens: 0 }
  const fp = new Fingerprint()
  let firstUser = -1
  const block = (value: unknown, tag: number, assistant: boolean): void => {
    if (shape.digests.length >= MAX_BLOCKS) return
    fp.nextBlock()
    fp.int(tag)
    fp.value(value, 0, '')
    shape.promptTokens += TOKENS_PER_MESSAGE + Math.ceil(fp.chars / CHARS_PER_TOKEN) + fp.images * TOKENS_PER_IMAGE
    shape.digests.push(fp.digest())
    shape.tokensThrough.push(shape.promptTokens)
    shape.assistant.push(assistant)
  }
  if (body.tools !== undefined) block(body.tools, 1, false)
  if (body.system !== undefined) block(body.system, 2, false)
  if (body.instructions !== undefined) block(body.instructions, 2, false)
  const messages = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : undefined
  if (messages) {
    for (const m of messages) {
      const role = typeof m === 'object' && m !== null ? (m as { role?: unknown }).role : undefined
      block(m, 3, role === 'assistant')
      if (role === 'user' && firstUser === -1) {
        firstUser = shape.digests.length - 1
        if (openingOnly) break
      }
    }
  } else {
    const text = body.input ?? body.prompt
    if (text !== undefined) {
      block(text, 4, false)
      firstUser = shape.digests.length - 1
    }
  }
  if (shape.digests.length === 0) return undefined
  shape.conversation = callerConversation(headers, body)
  if (shape.conversation === undefined) {
    const at = firstUser === -1 ? shape.digests.length - 1 : firstUser
    shape.conversation = `c:${shape.digests[at]!.toString(36)}`
  }
  return shape
}

/** The conversation as the caller names it: session header, prompt_cache_key, user id. */
function callerConversation(headers: IncomingHttpHeaders, body: Record<string, unknown>): string | undefined {
  const header = headers[SESSION_HEADER]
  const session = (Array.isArray(header) ? header[0] : header)?.trim()
  if (session) return `s:${session.slice(0, MAX_KEY_LENGTH)}`
  if (typeof body.prompt_cache_key === 'string' && body.prompt_cache_key !== '') return `k:${body.prompt_cache_key.slice(0, MAX_KEY_LENGTH)}`
  if (typeof body.user === 'string' && body.user !== '') return `u:${body.user.slice(0, MAX_KEY_LENGTH)}`
  const meta = body.metadata
  if (typeof meta === 'object' && meta !== null) {
    const id = (meta as Record<string, unknown>).user_id
    if (typeof id === 'string' && id !== '') return `u:${id.slice(0, MAX_KEY_LENGTH)}`
  }
  return undefined
}

/** Index of the first block of `shape` that `has` does not know, i.e. how many leading blocks it holds. */
export function matchedBlocks(shape: PromptShape, has: (digest: number) => boolean): number {
  let i = 0
  while (i < shape.digests.length && has(shape.digests[i]!)) i++
  return i
}

/** Estimated tokens of the first `blocks` blocks. */
export function tokensOfBlocks(shape: PromptShape, blocks: number): number {
  return blocks <= 0 ? 0 : shape.tokensThrough[Math.min(blocks, shape.tokensThrough.length) - 1]!
}
