// Per-route pinning and cache hits, read on mount and every few seconds while the screen is shown.
import { onMounted, onUnmounted, ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { RouteInsight } from '../../../shared/api'
import { errorMessage, type UiClient } from '../api/types'

export interface RouteInsightsModel {
  items: ShallowRef<RouteInsight[] | undefined>
  error: Ref<string | undefined>
  refresh(): Promise<void>
}

export function useRouteInsights(client: UiClient, opts: { intervalMs?: number } = {}): RouteInsightsModel {
  const items = shallowRef<RouteInsight[]>()
  const error = ref<string>()
  let timer: ReturnType<typeof setInterval> | undefined

  async function refresh(): Promise<void> {
    try {
      items.value = (await client.getRouteInsights()).items
      error.value = undefined
    } catch (err) {
      error.value = errorMessage(err)
    }
  }
  onMounted(() => {
    void refresh()
    timer = setInterval(() => void refresh(), opts.intervalMs ?? 5000)
  })
  onUnmounted(() => clearInterval(timer))
  return { items, error, refresh }
}
