import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { externalLinkDecision, isPermissionAllowed, isRendererUrl, rendererTarget } from '../../../src/main/app/senderPolicy'

const rendererDir = path.resolve('/opt/switchyard/out/renderer')
const indexUrl = pathToFileURL(path.join(rendererDir, 'index.html')).href

describe('rendererTarget', () => {
  it('uses the built file in a packaged app even when a dev server URL is set', () => {
    expect(rendererTarget({ devServerUrl: 'http://localhost:5173', isPackaged: true, rendererDir })).toEqual({
      kind: 'file',
      file: path.join(rendererDir, 'index.html'),
      url: indexUrl,
    })
  })

  it('uses the dev server in development, on loopback only', () => {
    expect(rendererTarget({ devServerUrl: 'http://localhost:5173/', isPackaged: false, rendererDir })).toMatchObject({
      kind: 'dev-server',
      origin: 'http://localhost:5173',
    })
    expect(rendererTarget({ devServerUrl: 'http://evil.example:5173/', isPackaged: false, rendererDir }).kind).toBe('file')
    expect(rendererTarget({ devServerUrl: 'https://localhost:5173/', isPackaged: false, rendererDir }).kind).toBe('file')
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
    expect(isRendererUrl(file, pathToFileURL(path.join(rendererDir, 'other.html')).href)).toBe(false)
    expect(isRendererUrl(file, pathToFileURL(path.join(rendererDir, '../../../etc/passwd')).href)).toBe(false)
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
