// Keeps the last minutes of stats ticks for the live charts while the component is mounted.
import { shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import type { StatsSnapshot } from '../../../shared/api'
import { appendPoint, HISTORY_POINTS, type HistoryPoint } from '../logic/statsHistory'

export function useStatsHistory(stats: Ref<StatsSnapshot | undefined>, max = HISTORY_POINTS): { history: ShallowRef<HistoryPoint[]> } {
  const history = shallowRef<HistoryPoint[]>([])
  watch(
    stats,
    (next) => {
      if (next) history.value = appendPoint(history.value, next, max)
    },
    { immediate: true, flush: 'sync' }, // every tick is a point, even several in one render frame
  )
  return { history }
}
