// Switchyard's model of one backend's prefix cache: the prompt blocks it ran lately, least
// recently used first, up to the cache's size in tokens. The backend evicts in about the same
// order (vLLM frees the least recently used blocks, tails before heads), so the longest prefix of
// a new prompt found here is the best guess of what the backend can skip prefilling. Other
// clients of a shared backend are invisible here: that error only makes the model optimistic.
import { matchedBlocks, tokensOfBlocks, type PromptShape } from './promptShape'

export class PrefixIndex {
  /** digest -> tokens of that block; Map order is recency (first = least recently used). */
  private readonly blocks = new Map<number, number>()
  private total = 0

  constructor(private capacity: number) {}

  get capacityTokens(): number {
    return this.capacity
  }

  get sizeTokens(): number {
    return this.total
  }

  /** Leading blocks of `shape` held here, and their tokens. */
  match(shape: PromptShape): { blocks: number; tokens: number } {
    const blocks = matchedBlocks(shape, (d) => this.blocks.has(d))
    return { blocks, tokens: tokensOfBlocks(shape, blocks) }
  }

  /** The backend ran this prompt: its blocks become the most recently used, heads last (evicted last). */
  touch(shape: PromptShape): void {
    for (let i = shape.digests.length - 1; i >= 0; i--) {
      const digest = shape.digests[i]!
      const tokens = shape.tokensThrough[i]! - (i > 0 ? shape.tokensThrough[i - 1]! : 0)
      const old = this.blocks.get(digest)
      if (old !== undefined) {
        this.blocks.delete(digest)
        this.total -= old
      }
      this.blocks.set(digest, tokens)
      this.total += tokens
    }
    this.evict()
  }

  resize(capacityTokens: number): void {
    if (capacityTokens === this.capacity) return
    this.capacity = capacityTokens
    this.evict()
  }

  clear(): void {
    this.blocks.clear()
    this.total = 0
  }

  private evict(): void {
    for (const [digest, tokens] of this.blocks) {
      if (this.total <= this.capacity) break
      this.blocks.delete(digest)
      this.total -= tokens
    }
  }
}
