// Counters and histograms cheap enough for every request: one Map lookup by a label key and a
// few additions. prom-client's own Counter/Histogram hash a label object on every call (several
// microseconds each, per request); these register with a prom-client Registry as custom metrics,
// so exposition, content types and the /metrics format stay prom-client's.
import type { Registry } from 'prom-client'

type Labels = Record<string, string>

interface MetricValue {
  labels: Labels
  value: number
  metricName?: string
}

interface Registrable {
  name: string
  help: string
  type: 'counter' | 'histogram'
  aggregator: 'sum'
  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' }>
  reset(): void
}

export class HotCounter implements Registrable {
  readonly type = 'counter' as const
  readonly aggregator = 'sum' as const
  private readonly series = new Map<string, { labels: Labels; value: number }>()

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as never)
  }

  /** `key` identifies the label set; `labels` is only called the first time a key is seen. */
  inc(key: string, labels: () => Labels, by = 1): void {
    const s = this.series.get(key)
    if (s) s.value += by
    else this.series.set(key, { labels: labels(), value: by })
  }

  async get() {
    const values = [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value }))
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  reset(): void {
    this.series.clear()
  }
}

export class HotHistogram implements Registrable {
  readonly type = 'histogram' as const
  readonly aggregator = 'sum' as const
  private readonly series = new Map<string, { labels: Labels; buckets: Float64Array; sum: number; count: number }>()

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never)
  }

  observe(key: string, labels: () => Labels, value: number): void {
    let s = this.series.get(key)
    if (!s) {
      s = { labels: labels(), buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 }
      this.series.set(key, s)
    }
    const bounds = this.bounds
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        s.buckets[i]!++
        break
      }
    }
    s.sum += value
    s.count++
  }

  async get() {
    const values: MetricValue[] = []
    for (const s of this.series.values()) {
      let cumulative = 0
      this.bounds.forEach((le, i) => {
        cumulative += s.buckets[i]!
        values.push({ labels: { le: String(le), ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` })
      })
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${this.name}_bucket` })
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` })
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` })
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  reset(): void {
    this.series.clear()
  }
}
