// Time ranges and local-day buckets. Rows are stored in UTC milliseconds; a `day` bucket is the
// calendar date in the machine's zone (or a given IANA zone) of each bucket's start, computed per
// bucket with Intl, so days that DST makes 23 or 25 hours long come out right.

export interface TimeRangeInput {
  /** ISO 8601 (or ms since the epoch); default: `to` minus 24 h. */
  from?: string | number
  /** ISO 8601 (or ms since the epoch), exclusive; default: now. */
  to?: string | number
}

const DAY_MS = 86_400_000

function toMs(value: string | number | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined
  const ms = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  if (!Number.isFinite(ms)) throw new RangeError(`${name}: not an ISO 8601 time: ${String(value)}`)
  return ms
}

/** [from, to) in ms. Throws RangeError on malformed input or from > to. */
export function parseRange(input: TimeRangeInput, now: number): { from: number; to: number } {
  const to = toMs(input.to, 'to') ?? now
  const from = toMs(input.from, 'from') ?? to - DAY_MS
  if (from > to) throw new RangeError('from: must not be after to')
  return { from, to }
}

/** A function from a UTC instant to its local calendar date, `YYYY-MM-DD`. */
export function dayKeyFormatter(timeZone?: string): (ms: number) => string {
  // en-CA formats dates as YYYY-MM-DD; a fresh formatter picks up a changed machine zone.
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  return (ms) => fmt.format(ms)
}

/** The UTC instant at which the local day containing `now` began. */
export function localDayStart(now: number, timeZone?: string): number {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' })
  const parts = Object.fromEntries(fmt.formatToParts(now).map((p) => [p.type, p.value]))
  const sinceMidnight = ((Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second)) * 1000 + (now % 1000)
  let start = now - sinceMidnight
  // If the offset changed since midnight (a DST switch today), the wall-clock subtraction is off by
  // the change: step until `start` is the first instant of today's date.
  const day = dayKeyFormatter(timeZone)
  const today = day(now)
  for (let i = 0; i < 4 && day(start) !== today; i++) start += 30 * 60_000
  for (let i = 0; i < 4 && day(start - 30 * 60_000) === today; i++) start -= 30 * 60_000
  return start
}
