// The whole config document (keys masked) for the screens that edit parts of it (routes,
// server settings). Saving sends the whole document back; masked keys stay as they are.
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { Config } from '../../../shared/config'
import { errorMessage, type UiClient } from '../api/types'

export interface ConfigModel {
  config: ShallowRef<Config | undefined>
  error: Ref<string | undefined>
  saving: Ref<boolean>
  load(): Promise<void>
  /** Saves and returns undefined, or returns the reason it was refused. */
  save(next: Config): Promise<string | undefined>
}

export function useConfig(client: UiClient): ConfigModel {
  const config = shallowRef<Config>()
  const error = ref<string>()
  const saving = ref(false)
  return {
    config,
    error,
    saving,
    async load() {
      try {
        config.value = await client.getConfig()
        error.value = undefined
      } catch (err) {
        error.value = errorMessage(err)
      }
    },
    async save(next) {
      saving.value = true
      try {
        config.value = await client.replaceConfig(next)
        return undefined
      } catch (err) {
        return errorMessage(err)
      } finally {
        saving.value = false
      }
    },
  }
}
