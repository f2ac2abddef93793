// The desktop app's self-update: the status (pushed as `update` events), a check and the
// restart that installs. In web mode the gateway answers `unsupported` and nothing is shown.
import { onMounted, onUnmounted, ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { UpdateStatus } from '../../../shared/api'
import { errorMessage, type UiClient } from '../api/types'

export function useUpdates(client: UiClient): {
  status: ShallowRef<UpdateStatus | undefined>
  error: Ref<string | undefined>
  check(): Promise<void>
  install(): Promise<void>
} {
  const status = shallowRef<UpdateStatus>()
  const error = ref<string>()
  let off: (() => void) | undefined
  const run = async (op: () => Promise<UpdateStatus>): Promise<void> => {
    try {
      status.value = await op()
      error.value = undefined
    } catch (err) {
      error.value = errorMessage(err)
    }
  }
  onMounted(() => {
    off = client.on('update', (next) => {
      status.value = next
    })
    client.getUpdateStatus().then(
      (s) => void (status.value = s),
      () => void (status.value = undefined), // an older gateway without the operation
    )
  })
  onUnmounted(() => off?.())
  return { status, error, check: () => run(() => client.checkForUpdates()), install: () => run(() => client.installUpdate()) }
}
