// The built preload (out/preload/index.cjs) runs in Electron's sandbox, where `require` knows
// only 'electron' (and a few Node built-ins). Run it the same way: in a fresh VM context whose
// require refuses everything else, and check what it exposes.
import fs from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import { expect, test } from '@playwright/test'
import { ipcChannel, operationNames } from '../../src/shared/api'

const bundle = path.resolve(import.meta.dirname, '../../out/preload/index.cjs')

test('the built preload requires only electron and exposes exactly the api.ts operations', async () => {
  const code = fs.readFileSync(bundle, 'utf8')
  // It bundles the operation names, not the app API's schemas (zod alone is ~200 KB).
  expect(code).not.toMatch(/\bZodError\b|\$ZodType\b/)
  expect(code.length).toBeLessThan(16 * 1024)
  const required = [...code.matchAll(/require\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1])
  expect([...new Set(required)]).toEqual(['electron'])

  const exposed: Record<string, unknown> = {}
  const invoked: [string, unknown][] = []
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
    ipcRenderer: {
      invoke: async (channel: string, args: unknown) => {
        invoked.push([channel, args])
        return { ok: true, value: null }
      },
      on: () => undefined,
      removeListener: () => undefined,
    },
  }
  const sandboxRequire = (id: string): unknown => {
    if (id === 'electron') return electron
    throw new Error(`module not found: ${id} (sandboxed preloads cannot require npm modules)`)
  }
  const module = { exports: {} }
  vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console }, { filename: bundle })

  const bridge = exposed.switchyard as { invoke: Record<string, (args?: unknown) => Promise<unknown>>; on: unknown }
  expect(Object.keys(exposed)).toEqual(['switchyard'])
  expect(Object.keys(bridge.invoke).sort()).toEqual([...operationNames].sort())
  await bridge.invoke.setActiveProvider!({ id: 'x' })
  expect(invoked).toEqual([[ipcChannel('setActiveProvider'), { id: 'x' }]])
})
