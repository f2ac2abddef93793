// Live counters: the current snapshot right away, then every tick the gateway pushes. The
// subscription lives exactly as long as the component that uses it.
import { onMounted, onUnmounted, shallowRef, type ShallowRef } from 'vue'
import type { StatsSnapshot } from '../../../shared/api'
import type { UiClient, Unsubscribe } from '../api/types'

export function useLiveStats(client: UiClient): { stats: ShallowRef<StatsSnapshot | undefined> } {
  const stats = shallowRef<StatsSnapshot>()
  // A pushed tick can overtake the initial fetch; never go back in time.
  const accept = (next: StatsSnapshot): void => {
    if (!stats.value || next.at >= stats.value.at) stats.value = next
  }
  let off: Unsubscribe | undefined
  let mounted = false

  onMounted(() => {
    mounted = true
    off = client.on('stats', accept)
    client.getStats().then(
      (snapshot) => mounted && accept(snapshot),
      () => undefined, // the stream fills in when it can; status shows connection problems
    )
  })
  onUnmounted(() => {
    mounted = false
    off?.()
    off = undefined
  })
  return { stats }
}
