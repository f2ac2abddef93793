// Where our renderer lives and who may talk to main. Pure functions: the window and the IPC
// wrapper ask these, tests call them directly.
import path from 'node:path'
import { isLoopbackHost } from '../gateway'
import { APP_HOST, APP_INDEX_URL, APP_SCHEME } from './appProtocol'

export type RendererTarget =
  | { kind: 'dev-server'; url: string; origin: string }
  /** The built renderer, served from app://switchyard/ (appProtocol.ts) out of rendererDir. */
  | { kind: 'app'; url: string; rendererDir: string }

/**
 * The dev server URL electron-vite passes (ELECTRON_RENDERER_URL) is honoured only in an
 * unpackaged app and only on loopback: a packaged app must never be talked into loading a page
 * from elsewhere by an environment variable.
 */
export function rendererTarget(opts: { devServerUrl?: string; isPackaged: boolean; rendererDir: string }): RendererTarget {
  if (opts.devServerUrl && !opts.isPackaged) {
    const url = new URL(opts.devServerUrl)
    if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return { kind: 'dev-server', url: url.href, origin: url.origin }
  }
  return { kind: 'app', url: APP_INDEX_URL, rendererDir: path.resolve(opts.rendererDir) }
}

/** Whether a URL is our renderer's page (hash and query ignored: the app may use them for state). */
export function isRendererUrl(target: RendererTarget, candidate: string): boolean {
  let url: URL
  try {
    url = new URL(candidate)
  } catch {
    return false
  }
  if (target.kind === 'dev-server') return url.origin === target.origin
  // A custom scheme has an opaque origin in WHATWG URL terms: compare scheme and host.
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && !url.username && !url.password && !url.port
}

/** The parts of an IPC event (IpcMainInvokeEvent) the check reads. */
export interface SenderEventLike {
  sender: unknown
  senderFrame: { url: string; parent: unknown } | null
}

/**
 * Trusted = sent by the main frame of our window's webContents while it shows our renderer.
 * Subframes (an iframe a bug let in) and any other webContents are foreign.
 */
export function isTrustedSender(
  event: SenderEventLike,
  window: { webContents: unknown; isDestroyed(): boolean } | undefined,
  target: RendererTarget,
): boolean {
  if (!window || window.isDestroyed()) return false
  if (event.sender !== window.webContents) return false
  const frame = event.senderFrame
  if (!frame || frame.parent !== null) return false
  return isRendererUrl(target, frame.url)
}

/** Links leaving the app open in the user's browser, and only if they are https. */
export function externalLinkDecision(url: string): 'open-external' | 'deny' {
  try {
    return new URL(url).protocol === 'https:' ? 'open-external' : 'deny'
  } catch {
    return 'deny'
  }
}

/** The dashboard needs no camera, location or notifications; only writing the base URL to the clipboard. */
export function isPermissionAllowed(permission: string): boolean {
  return permission === 'clipboard-sanitized-write'
}
