import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { externalLinkDecision, isPermissionAllowed, isRendererUrl, rendererTarget } from '../../../src/main/app/senderPolicy'

const rendererDir = path.resolve('/opt/switchyard/out/renderer')
const indexUrl = 'app://switchyard/index.html'

describe('rendererTarget', () => {
  it('uses the built renderer over app:// in a packaged app even when a dev server URL is set', () => {
    expect(rendererTarget({ devServerUrl: 'http://localhost:5173', isPackaged: true, rendererDir })).toEqual({
      kind: 'app',
      url: indexUrl,
      rendererDir,
    })
  })

  it('uses the dev server in development, on loopback only', () => {
    expect(rendererTarget({ devServerUrl: 'http://localhost:5173/', isPackaged: false, rendererDir })).toMatchObject({
      kind: 'dev-server',
      origin: 'http://localhost:5173',
    })
    expect(rendererTarget({ devServerUrl: 'http://evil.example:5173/', isPackaged: false, rendererDir }).kind).toBe('app')
    expect(rendererTarget({ devServerUrl: 'https://localhost:5173/', isPackaged: false, rendererDir }).kind).toBe('app')
  })
})

describe('isRendererUrl', () => {
  const file = rendererTarget({ isPackaged: true, rendererDir })
  const dev = rendererTarget({ devServerUrl: 'http://localhost:5173', isPackaged: false, rendererDir })

  it('accepts our page with any hash or query', () => {
    expect(isRendererUrl(file, indexUrl)).toBe(true)
    expect(isRendererUrl(file, `${indexUrl}#/providers`)).toBe(true)
    expect(isRendererUrl(file, `${indexUrl}?x=1`)).toBe(true)
    expect(isRendererUrl(dev, 'http://localhost:5173/src/main.ts')).toBe(true)
  })

  it('refuses every other page', () => {
    // file:// is never our page any more, not even the built index.html.
    expect(isRendererUrl(file, `file://${path.join(rendererDir, 'index.html')}`)).toBe(false)
    expect(isRendererUrl(file, 'app://evil/index.html')).toBe(false)
    expect(isRendererUrl(file, 'app://switchyard.evil/index.html')).toBe(false)
    expect(isRendererUrl(file, 'app://user:pw@switchyard/index.html')).toBe(false)
    expect(isRendererUrl(file, 'app://switchyard:8080/index.html')).toBe(false)
    expect(isRendererUrl(file, 'apps://switchyard/index.html')).toBe(false)
    expect(isRendererUrl(file, 'https://example.com/index.html')).toBe(false)
    expect(isRendererUrl(file, 'not a url')).toBe(false)
    expect(isRendererUrl(dev, 'http://localhost:5174/')).toBe(false)
    expect(isRendererUrl(dev, 'http://127.0.0.1:5173/')).toBe(false)
    expect(isRendererUrl(dev, indexUrl)).toBe(false)
  })
})

describe('externalLinkDecision and permissions', () => {
  it('opens only https links outside the app', () => {
    expect(externalLinkDecision('https://github.com/')).toBe('open-external')
    expect(externalLinkDecision('http://example.com/')).toBe('deny')
    expect(externalLinkDecision('file:///etc/passwd')).toBe('deny')
    expect(externalLinkDecision('javascript:alert(1)')).toBe('deny')
    expect(externalLinkDecision('::')).toBe('deny')
  })

  it('grants clipboard writing and nothing else', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write')).toBe(true)
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) expect(isPermissionAllowed(p)).toBe(false)
  })
})
