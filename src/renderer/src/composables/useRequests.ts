// The recent request log, re-read on demand and (optionally) every few seconds while shown.
import { onUnmounted, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import type { RequestLogEntry } from '../../../shared/api'
import { errorMessage, type UiClient } from '../api/types'

export interface RequestsModel {
  items: ShallowRef<RequestLogEntry[] | undefined>
  error: Ref<string | undefined>
  loading: Ref<boolean>
  autoRefresh: Ref<boolean>
  refresh(): Promise<void>
}

export function useRequests(client: UiClient, opts: { limit?: number; intervalMs?: number } = {}): RequestsModel {
  const items = shallowRef<RequestLogEntry[]>()
  const error = ref<string>()
  const loading = ref(false)
  const autoRefresh = ref(false)
  let timer: ReturnType<typeof setInterval> | undefined

  async function refresh(): Promise<void> {
    loading.value = true
    try {
      items.value = (await client.listRequests({ limit: opts.limit ?? 200 })).items
      error.value = undefined
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  }
  watch(autoRefresh, (on) => {
    clearInterval(timer)
    timer = on ? setInterval(() => void refresh(), opts.intervalMs ?? 3000) : undefined
  })
  onUnmounted(() => clearInterval(timer))
  return { items, error, loading, autoRefresh, refresh }
}
