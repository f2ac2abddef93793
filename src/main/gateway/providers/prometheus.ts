// A deliberately small reader of the Prometheus text exposition format: it keeps only the
// samples whose metric names it is asked for, so a large /metrics page (histograms with
// hundreds of buckets) costs one pass of line scanning and no allocation for the rest.

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Samples of the wanted metric names; HELP/TYPE/comment lines and all other metrics are skipped. */
export function parsePrometheusText(text: string, wanted: ReadonlySet<string>): Sample[] {
  const out: Sample[] = []
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end)
    start = end + 1
    if (line.length === 0 || line.charCodeAt(0) === 35 /* # */) continue
    const nameEnd = metricNameEnd(line)
    const name = line.slice(0, nameEnd)
    if (!wanted.has(name)) continue
    const sample = parseSampleLine(line, name, nameEnd)
    if (sample) out.push(sample)
  }
  return out
}

function metricNameEnd(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (c === 123 /* { */ || c === 32 || c === 9) return i
  }
  return line.length
}

function parseSampleLine(line: string, name: string, at: number): Sample | undefined {
  let labels: Record<string, string> = {}
  let i = at
  if (line.charCodeAt(i) === 123) {
    const parsed = parseLabels(line, i + 1)
    if (!parsed) return undefined
    labels = parsed.labels
    i = parsed.next
  }
  // value [timestamp]
  const rest = line.slice(i).trim().split(/[ \t]+/)
  const value = parseValue(rest[0] ?? '')
  if (value === undefined) return undefined
  return { name, labels, value }
}

function parseLabels(line: string, from: number): { labels: Record<string, string>; next: number } | undefined {
  const labels: Record<string, string> = {}
  let i = from
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++
    if (line[i] === '}') return { labels, next: i + 1 }
    const eq = line.indexOf('=', i)
    if (eq === -1 || line[eq + 1] !== '"') return undefined
    const key = line.slice(i, eq).trim()
    let value = ''
    let j = eq + 2
    for (; j < line.length; j++) {
      const ch = line[j]
      if (ch === '\\') {
        const next = line[++j]
        value += next === 'n' ? '\n' : (next ?? '')
      } else if (ch === '"') {
        break
      } else {
        value += ch
      }
    }
    if (j >= line.length) return undefined // unterminated label value
    labels[key] = value
    i = j + 1
  }
}

function parseValue(token: string): number | undefined {
  if (token === '') return undefined
  if (token === '+Inf') return Infinity
  if (token === '-Inf') return -Infinity
  if (token === 'NaN') return NaN
  const n = Number(token)
  return Number.isNaN(n) ? undefined : n
}

export function clamp01(n: number): number {
  return Math.min(1, Math.max(0, n))
}
