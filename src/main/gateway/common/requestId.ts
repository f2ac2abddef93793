// Request ids: random (version 4) UUIDs, as crypto.randomUUID() makes them, at one string per id.
// randomUUID() assembles its answer from 20 small strings (about 550 bytes of garbage per request);
// here the random bytes come from a pooled buffer and the hex is written into a reused one.
import { randomFillSync } from 'node:crypto'

const IDS_PER_FILL = 256
const entropy = Buffer.alloc(16 * IDS_PER_FILL)
let next = IDS_PER_FILL // empty: filled on first use
const out = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1')
const HEX = Buffer.from('0123456789abcdef', 'latin1')
/** Where each of the 16 bytes' two hex digits go in the 36-character form. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]

export function newRequestId(): string {
  if (next === IDS_PER_FILL) {
    randomFillSync(entropy)
    next = 0
  }
  const base = 16 * next++
  for (let i = 0; i < 16; i++) {
    let b = entropy[base + i]!
    if (i === 6) b = (b & 0x0f) | 0x40 // version 4
    else if (i === 8) b = (b & 0x3f) | 0x80 // RFC 4122 variant
    out[AT[i]!] = HEX[b >> 4]!
    out[AT[i]! + 1] = HEX[b & 0x0f]!
  }
  return out.toString('latin1')
}
