import { inject, type InjectionKey } from 'vue'
import type { UiClient } from './types'

export const clientKey: InjectionKey<UiClient> = Symbol('switchyard-client')

export function useClient(): UiClient {
  const client = inject(clientKey)
  if (!client) throw new Error('no Switchyard client provided (app.provide(clientKey, client))')
  return client
}
