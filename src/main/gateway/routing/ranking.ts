// Ordering helpers shared by the strategies.
import type { Candidate, StrategyContext } from './candidates'

/** Sorts by a numeric tuple (ascending), ties by original position. Keys go in one flat array: no per-row allocation. */
export function rankBy(candidates: readonly Candidate[], key: (c: Candidate, index: number) => number[]): Candidate[] {
  const n = candidates.length
  if (n <= 1) return [...candidates]
  const first = key(candidates[0]!, 0)
  const width = first.length
  const keys = new Float64Array(n * width)
  keys.set(first, 0)
  for (let i = 1; i < n; i++) keys.set(key(candidates[i]!, i), i * width)
  const order = Array.from({ length: n }, (_, i) => i)
  order.sort((a, b) => {
    for (let j = 0; j < width; j++) {
      const d = keys[a * width + j]! - keys[b * width + j]!
      if (d !== 0 && !Number.isNaN(d)) return d
    }
    return a - b
  })
  return order.map((i) => candidates[i]!)
}

/** Moves backups (weight 0) behind the others, keeping each group's order. */
export function backupsLast(ordered: Candidate[]): Candidate[] {
  if (!ordered.some((c) => c.weight <= 0) || ordered.every((c) => c.weight <= 0)) return ordered
  return [...ordered.filter((c) => c.weight > 0), ...ordered.filter((c) => c.weight <= 0)]
}

/** 0 for the conversation's last backend (its prefix is cached there), else 1: a tie-break for load-based strategies. */
export function awayFromHome(c: Candidate, ctx: Pick<StrategyContext, 'home'>): number {
  return ctx.home?.(c) ? 0 : 1
}
