// Local servers found on this machine: the gateway's last scan (it scans on a first start), a new
// scan on request, and one click to add a server as a provider.
import { computed, onUnmounted, ref, shallowRef, type ComputedRef, type Ref, type ShallowRef } from 'vue'
import type { DiscoveredServer, DiscoveryView, ProviderView } from '../../../shared/api'
import { errorMessage, type UiClient } from '../api/types'

export interface DiscoveryModel {
  view: ShallowRef<DiscoveryView | undefined>
  /** Found and not configured yet. */
  fresh: ComputedRef<DiscoveredServer[]>
  scanning: Ref<boolean>
  adding: Ref<string | undefined>
  error: Ref<string | undefined>
  load(): Promise<void>
  scan(): Promise<void>
  add(server: DiscoveredServer): Promise<{ provider: ProviderView; active: boolean } | undefined>
}

export function useDiscovery(client: UiClient, opts: { pollMs?: number } = {}): DiscoveryModel {
  const view = shallowRef<DiscoveryView>()
  const scanning = ref(false)
  const adding = ref<string>()
  const error = ref<string>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  onUnmounted(() => {
    stopped = true
    clearTimeout(timer)
  })

  async function load(): Promise<void> {
    try {
      view.value = await client.getDiscovery()
      scanning.value = view.value.scanning
      // The start-up scan may still be running: look again shortly.
      if (view.value.scanning && !stopped) timer = setTimeout(() => void load(), opts.pollMs ?? 700)
    } catch (err) {
      error.value = errorMessage(err)
    }
  }
  return {
    view,
    fresh: computed(() => (view.value?.items ?? []).filter((s) => !s.configuredAs)),
    scanning,
    adding,
    error,
    load,
    async scan() {
      scanning.value = true
      error.value = undefined
      try {
        view.value = await client.scanDiscovery()
      } catch (err) {
        error.value = errorMessage(err)
      } finally {
        scanning.value = false
      }
    },
    async add(server) {
      adding.value = server.baseUrl
      error.value = undefined
      try {
        const result = await client.addDiscovered({ baseUrl: server.baseUrl })
        view.value = await client.getDiscovery()
        return result
      } catch (err) {
        error.value = errorMessage(err)
        return undefined
      } finally {
        adding.value = undefined
      }
    },
  }
}
