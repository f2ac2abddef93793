// Gateway status (address, state, active provider): fetched on mount, then updated by `status`
// events, which the gateway publishes on every config change, pause and (re)start.
import { onMounted, onUnmounted, ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { GatewayStatus } from '../../../shared/api'
import { errorMessage, type UiClient, type Unsubscribe } from '../api/types'

export function useGatewayStatus(client: UiClient): { status: ShallowRef<GatewayStatus | undefined>; error: Ref<string | undefined> } {
  const status = shallowRef<GatewayStatus>()
  const error = ref<string>()
  let off: Unsubscribe | undefined
  let mounted = false
  let pushed = false

  onMounted(() => {
    mounted = true
    off = client.on('status', (next) => {
      pushed = true
      status.value = next
      error.value = undefined
    })
    client.getStatus().then(
      (initial) => {
        if (!mounted || pushed) return // a pushed status is newer than the fetched one
        status.value = initial
      },
      (err: unknown) => {
        if (mounted) error.value = errorMessage(err)
      },
    )
  })
  onUnmounted(() => {
    mounted = false
    off?.()
  })
  return { status, error }
}
