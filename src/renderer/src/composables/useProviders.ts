// The provider list and switching the active provider. Switching refreshes the list from the
// gateway rather than guessing locally, so the UI always shows what the gateway will do.
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { ProviderView } from '../../../shared/api'
import { errorMessage, type UiClient } from '../api/types'

export interface ProvidersModel {
  providers: ShallowRef<ProviderView[] | undefined>
  /** Why the list could not be loaded. */
  error: Ref<string | undefined>
  /** Why the last switch failed (kept until the next switch). */
  switchError: Ref<string | undefined>
  /** Id of the provider being switched to, while the call is in flight. */
  switching: Ref<string | undefined>
  refresh(): Promise<void>
  setActive(id: string): Promise<void>
}

export function useProviders(client: UiClient): ProvidersModel {
  const providers = shallowRef<ProviderView[]>()
  const error = ref<string>()
  const switchError = ref<string>()
  const switching = ref<string>()
  let generation = 0

  async function refresh(): Promise<void> {
    const mine = ++generation
    try {
      const { items } = await client.listProviders()
      if (mine !== generation) return // an older answer arriving late must not win
      providers.value = items
      error.value = undefined
    } catch (err) {
      if (mine === generation) error.value = errorMessage(err)
    }
  }

  async function setActive(id: string): Promise<void> {
    if (switching.value !== undefined) return
    switching.value = id
    try {
      await client.setActiveProvider({ id })
      switchError.value = undefined
    } catch (err) {
      switchError.value = `Could not switch to "${id}": ${errorMessage(err)}`
    } finally {
      switching.value = undefined
    }
    await refresh()
  }

  return { providers, error, switchError, switching, refresh, setActive }
}
