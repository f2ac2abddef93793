// The usage screen's data: the chart rows (buckets over time by a dimension), the table rows
// (one per dimension value) and their totals, re-read whenever the range or grouping changes.
import { ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import type { UsageRow } from '../../../shared/api'
import { errorMessage, type UiClient } from '../api/types'
import { downloadFile } from '../logic/download'
import { chartGroupBy, rangeFor, tableGroupBy, type Dimension, type Range, type RangePreset } from '../logic/usageView'

export interface UsageModel {
  preset: Ref<RangePreset>
  custom: Ref<[number, number] | null>
  dimension: Ref<Dimension>
  /** `team`: the whole team's hourly totals (team mode); `instance`: this gateway's ledger. */
  scope: Ref<'instance' | 'team'>
  range: ShallowRef<Range>
  chartRows: ShallowRef<UsageRow[]>
  tableRows: ShallowRef<UsageRow[] | undefined>
  loading: Ref<boolean>
  error: Ref<string | undefined>
  exporting: Ref<'csv' | 'json' | undefined>
  load(): Promise<void>
  exportAs(format: 'csv' | 'json'): Promise<void>
}

export function useUsage(client: UiClient, opts: { now?: () => Date; download?: typeof downloadFile } = {}): UsageModel {
  const now = opts.now ?? (() => new Date())
  const preset = ref<RangePreset>('7d')
  const custom = ref<[number, number] | null>(null)
  const dimension = ref<Dimension>('provider')
  const scope = ref<'instance' | 'team'>('instance')
  const range = shallowRef<Range>(rangeFor(preset.value, now()))
  const chartRows = shallowRef<UsageRow[]>([])
  const tableRows = shallowRef<UsageRow[]>()
  const loading = ref(false)
  const error = ref<string>()
  const exporting = ref<'csv' | 'json'>()
  let generation = 0

  async function load(): Promise<void> {
    const mine = ++generation
    const r = rangeFor(preset.value, now(), custom.value)
    const dim = dimension.value
    loading.value = true
    try {
      const [chart, table] = await Promise.all([
        client.getUsage({ from: r.from, to: r.to, groupBy: chartGroupBy(r, dim), ...(scope.value === 'team' ? { scope: 'team' as const } : {}) }),
        client.getUsage({ from: r.from, to: r.to, groupBy: tableGroupBy(dim), ...(scope.value === 'team' ? { scope: 'team' as const } : {}) }),
      ])
      if (mine !== generation) return // a newer selection is loading
      range.value = r
      chartRows.value = chart.rows
      tableRows.value = table.rows
      error.value = undefined
    } catch (err) {
      if (mine === generation) error.value = errorMessage(err)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  watch([preset, custom, dimension, scope], () => {
    if (preset.value === 'custom' && !custom.value) return // wait for the dates
    void load()
  })

  return {
    preset,
    custom,
    dimension,
    scope,
    range,
    chartRows,
    tableRows,
    loading,
    error,
    exporting,
    load,
    async exportAs(format) {
      exporting.value = format
      try {
        const r = rangeFor(preset.value, now(), custom.value)
        const file = await client.exportUsage({ format, from: r.from, to: r.to })
        ;(opts.download ?? downloadFile)(file)
        error.value = undefined
      } catch (err) {
        error.value = `Export failed: ${errorMessage(err)}`
      } finally {
        exporting.value = undefined
      }
    },
  }
}
