// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { operationNames, type PreloadBridge } from '../../../src/shared/api'
import { createClient } from '../../../src/renderer/src/api/createClient'

afterEach(() => {
  delete window.switchyard
  sessionStorage.clear()
  history.replaceState(null, '', '/')
})

describe('createClient', () => {
  it('uses IPC when the preload bridge is present', () => {
    window.switchyard = { invoke: Object.fromEntries(operationNames.map((n) => [n, async () => ({ ok: true, value: n })])), on: () => () => undefined } as unknown as PreloadBridge
    expect(createClient(window).transport).toBe('ipc')
  })

  it('uses HTTP otherwise, taking the admin token out of the URL', () => {
    history.replaceState(null, '', '/ui/#token=secret-token')
    const client = createClient(window)
    expect(client.transport).toBe('http')
    expect(location.hash).toBe('')
    expect(location.pathname).toBe('/ui/')
    expect(sessionStorage.getItem('switchyard.adminToken')).toBe('secret-token')
  })
})
