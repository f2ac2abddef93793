import type { ProviderKind } from '../../../shared/config'

export interface Timeouts {
  connectMs: number
  /** From dispatch until the first body byte: covers queueing and model loading upstream. */
  firstByteMs: number
  /** Largest gap allowed between two body chunks. */
  idleMs: number
}

/** The wire protocol a backend's inference API speaks. */
export type WireProtocol = 'openai' | 'anthropic'

/** What differs between backend kinds; everything else is shared forwarding code. */
export interface ProviderAdapter {
  readonly kind: ProviderKind
  readonly protocol: WireProtocol
  /**
   * Base the request paths are appended to, derived from the configured baseUrl: the OpenAI API
   * base (`.../v1`) for OpenAI-protocol kinds, the API root for Anthropic (paths start with /v1).
   */
  apiBase(baseUrl: string): URL
  authHeaders(apiKey: string | undefined): Record<string, string>
  readonly defaultTimeouts: Timeouts
}

export const LOCAL_TIMEOUTS: Timeouts = { connectMs: 10_000, firstByteMs: 600_000, idleMs: 120_000 }
export const CLOUD_TIMEOUTS: Timeouts = { connectMs: 10_000, firstByteMs: 120_000, idleMs: 120_000 }

export function trimTrailingSlashes(path: string): string {
  return path.replace(/\/+$/, '')
}

export function bearerAuth(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {}
}
