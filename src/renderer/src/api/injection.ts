import { inject, type InjectionKey, type Ref } from 'vue'
import type { ThemeChoice } from '../logic/theme'
import type { UiClient } from './types'

export const clientKey: InjectionKey<UiClient> = Symbol('switchyard-client')

export function useClient(): UiClient {
  const client = inject(clientKey)
  if (!client) throw new Error('no Switchyard client provided (app.provide(clientKey, client))')
  return client
}

/** The theme choice (system/light/dark), provided by App.vue for the switch in the side bar. */
export const themeChoiceKey: InjectionKey<Ref<ThemeChoice>> = Symbol('switchyard-theme')
