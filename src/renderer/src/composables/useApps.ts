// App keys: list, create (the key is returned once and held here until dismissed), revoke.
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { AppKeyView } from '../../../shared/api'
import { errorMessage, type UiClient } from '../api/types'

export interface AppsModel {
  items: ShallowRef<AppKeyView[] | undefined>
  error: Ref<string | undefined>
  /** The key just created: shown once, then forgotten. */
  created: Ref<{ name: string; key: string } | undefined>
  load(): Promise<void>
  create(input: { name: string; rpm?: number; tpm?: number; priority?: 'high' | 'normal' }): Promise<string | undefined>
  revoke(name: string): Promise<string | undefined>
  dismissKey(): void
}

export function useApps(client: UiClient): AppsModel {
  const items = shallowRef<AppKeyView[]>()
  const error = ref<string>()
  const created = ref<{ name: string; key: string }>()
  async function load(): Promise<void> {
    try {
      items.value = (await client.listApps()).items
      error.value = undefined
    } catch (err) {
      error.value = errorMessage(err)
    }
  }
  return {
    items,
    error,
    created,
    load,
    async create(input) {
      try {
        created.value = await client.createApp(input)
        await load()
        return undefined
      } catch (err) {
        return errorMessage(err)
      }
    },
    async revoke(name) {
      try {
        items.value = (await client.revokeApp({ name })).items
        return undefined
      } catch (err) {
        return errorMessage(err)
      }
    },
    dismissKey() {
      created.value = undefined
    },
  }
}
