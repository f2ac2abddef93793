// Request ids: time-ordered (version 7, RFC 9562) UUIDs. The ledger indexes request_id, and a
// random (version 4) key lands every insert on a random page of that index: on a ledger of 300k
// rows an insert cost ~37 µs instead of ~13, growing with the table, and each batch dirtied a
// page per row. Version 7 ids begin with the millisecond, so new ids append to the index's end.
// Within one millisecond a counter (the 12 bits after the version) keeps them increasing: ids
// sort in the order they were made. The rest is random, from a pooled buffer; the hex is written
// into a reused one (crypto.randomUUID() assembles ~550 bytes of garbage per id).
import { randomFillSync } from 'node:crypto'

const IDS_PER_FILL = 256
/** Random bytes per id: 2 seed the counter, 8 are rand_b (6 bits of the first give way to the variant). */
const RANDOM_BYTES = 10
const entropy = Buffer.alloc(RANDOM_BYTES * IDS_PER_FILL)
let next = IDS_PER_FILL // empty: filled on first use
const out = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1')
const HEX = Buffer.from('0123456789abcdef', 'latin1')
/** Where each of the 16 bytes' two hex digits go in the 36-character form. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]
const COUNTER_MAX = 0xfff

let lastMs = 0
let counter = 0

function writeByte(i: number, b: number): void {
  out[AT[i]!] = HEX[b >> 4]!
  out[AT[i]! + 1] = HEX[b & 0x0f]!
}

export function newRequestId(now: number = Date.now()): string {
  if (next === IDS_PER_FILL) {
    randomFillSync(entropy)
    next = 0
  }
  const base = RANDOM_BYTES * next++
  if (now > lastMs) {
    lastMs = now
    // A random start in the lower half leaves room to count up within the millisecond.
    counter = ((entropy[base]! << 8) | entropy[base + 1]!) & 0x7ff
  } else if (++counter > COUNTER_MAX) {
    // 4096 ids in one millisecond (or a clock that went back): borrow the next millisecond.
    lastMs++
    counter = 0
  }
  // unix_ts_ms: 48 bits, big-endian.
  const high = Math.floor(lastMs / 0x100000000)
  const low = lastMs >>> 0
  writeByte(0, (high >>> 8) & 0xff)
  writeByte(1, high & 0xff)
  writeByte(2, low >>> 24)
  writeByte(3, (low >>> 16) & 0xff)
  writeByte(4, (low >>> 8) & 0xff)
  writeByte(5, low & 0xff)
  writeByte(6, 0x70 | (counter >> 8)) // version 7, then the counter's high 4 bits
  writeByte(7, counter & 0xff)
  writeByte(8, (entropy[base + 2]! & 0x3f) | 0x80) // RFC 9562 variant
  for (let i = 9; i < 16; i++) writeByte(i, entropy[base + i - 6]!)
  return out.toString('latin1')
}

