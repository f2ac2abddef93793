// Consistent-hash ring for session affinity. Each target owns `vnodes × weight` points; a key
// belongs to the first point clockwise from its hash. Adding a target takes over only the arcs
// its new points cover (about its weight share of keys); removing one hands its arcs to the
// neighbours. Unusable targets are skipped during the walk, which is the same as a ring built
// without them, so one ring per route serves every health state.

/** 32-bit FNV-1a over UTF-16 code units, finished with murmur3's fmix for avalanche. */
export function hash32(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

export interface RingMember {
  key: string
  weight: number
}

export const DEFAULT_VNODES = 160
const MAX_POINTS_PER_MEMBER = 4_000

export class HashRing<T extends RingMember> {
  private readonly points: Uint32Array
  private readonly owners: Uint16Array
  readonly members: readonly T[]

  constructor(members: readonly T[], vnodes = DEFAULT_VNODES) {
    const ringMembers = members.filter((m) => m.weight > 0)
    this.members = ringMembers
    if (ringMembers.length > 0xffff) throw new RangeError('too many ring members')
    const entries: Array<[number, number]> = []
    ringMembers.forEach((m, index) => {
      // Points depend on the member's own weight only, so a change elsewhere never moves them.
      const count = Math.min(MAX_POINTS_PER_MEMBER, Math.max(1, Math.round(vnodes * m.weight)))
      for (let i = 0; i < count; i++) entries.push([hash32(`${m.key}#${i}`), index])
    })
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1])
    this.points = Uint32Array.from(entries, (e) => e[0])
    this.owners = Uint16Array.from(entries, (e) => e[1])
  }

  /** Distinct members in ring order from the key's position: [owner, next, ...]. */
  walk(hash: number, usable: (member: T) => boolean = () => true, limit = Infinity): T[] {
    const out: T[] = []
    const n = this.points.length
    if (n === 0) return out
    const seen = new Uint8Array(this.members.length)
    let remaining = this.members.length
    for (let step = 0, i = this.lowerBound(hash); step < n && remaining > 0 && out.length < limit; step++, i++) {
      if (i === n) i = 0
      const owner = this.owners[i]!
      if (seen[owner]) continue
      seen[owner] = 1
      remaining--
      const member = this.members[owner]!
      if (usable(member)) out.push(member)
    }
    return out
  }

  /** The owner of a key among usable members. */
  pick(hash: number, usable?: (member: T) => boolean): T | undefined {
    return this.walk(hash, usable, 1)[0]
  }

  private lowerBound(hash: number): number {
    let lo = 0
    let hi = this.points.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.points[mid]! < hash) lo = mid + 1
      else hi = mid
    }
    return lo === this.points.length ? 0 : lo
  }
}
