// Mounts the whole dashboard (App.vue) on a fake client, in happy-dom. Charts are stubbed: they
// draw on a canvas happy-dom does not have, and their options are tested as data elsewhere.
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { vi } from 'vitest'
import App from '../../../src/renderer/src/App.vue'
import { clientKey } from '../../../src/renderer/src/api/injection'
import type { fakeClient } from './fakeClient'

export async function mountApp(fake: ReturnType<typeof fakeClient>, view = 'overview'): Promise<VueWrapper> {
  window.location.hash = `#/${view}`
  const wrapper = mount(App, {
    global: { provide: { [clientKey as symbol]: fake.client }, stubs: { LiveChart: true, UsageChart: true } },
    attachTo: document.body,
  })
  await loaded()
  return wrapper
}

export const byTestId = (wrapper: VueWrapper, id: string) => wrapper.find(`[data-testid="${id}"]`)

/** naive-ui teleports drawers, modals and popovers to <body>: find those in the document. */
export const inBody = (id: string): HTMLElement | null => document.body.querySelector(`[data-testid="${id}"]`)

/** Screens and charts are loaded on demand (dynamic imports): wait for them, then for their data. */
async function loaded(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await flushPromises()
    await vi.dynamicImportSettled()
  }
  await flushPromises()
}

export async function settle(): Promise<void> {
  await loaded()
  await new Promise((resolve) => setTimeout(resolve, 0))
  await loaded()
}
