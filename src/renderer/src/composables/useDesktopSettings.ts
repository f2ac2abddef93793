// Settings of the desktop app (launch at login, notifications); `available` is false in web mode.
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { DesktopSettings, DesktopSettingsPatch } from '../../../shared/api'
import { errorMessage, type UiClient } from '../api/types'

export function useDesktopSettings(client: UiClient): {
  settings: ShallowRef<DesktopSettings | undefined>
  error: Ref<string | undefined>
  load(): Promise<void>
  update(patch: DesktopSettingsPatch): Promise<void>
} {
  const settings = shallowRef<DesktopSettings>()
  const error = ref<string>()
  return {
    settings,
    error,
    async load() {
      try {
        settings.value = await client.getDesktopSettings()
      } catch {
        settings.value = { available: false, notices: [] } // an older gateway without the operation
      }
    },
    async update(patch) {
      try {
        settings.value = await client.updateDesktopSettings(patch)
        error.value = undefined
      } catch (err) {
        error.value = errorMessage(err)
      }
    },
  }
}
