// Which kind of server answers at an origin (`http://127.0.0.1:8080`), told by its own API rather
// than its port: each kind's fingerprints (llama.cpp's /props, Ollama's /api/version, vLLM's
// /metrics, LM Studio's /api/v0/models, and last any OpenAI-compatible /v1/models). Read-only GETs,
// one per distinct path, in parallel; a server that answers none of them is not identified.
import type { ProviderKind } from '../../../shared/config'
import type { Fingerprint, SideGet } from './adapter'
import { PROVIDER_ADAPTERS } from './registry'

export interface IdentifiedServer {
  kind: ProviderKind
  /** What to configure as the provider's baseUrl. */
  baseUrl: string
  /** The dashboard preset this server is, when one fits (LM Studio). */
  presetId?: string
}

interface Candidate {
  kind: ProviderKind
  fingerprint: Fingerprint
}

/** Specific fingerprints first (in registry order), generic ones (any OpenAI server) after. */
function candidates(): Candidate[] {
  const all = Object.values(PROVIDER_ADAPTERS).flatMap((a) => (a.fingerprints ?? []).map((fingerprint) => ({ kind: a.kind, fingerprint })))
  return [...all.filter((c) => !c.fingerprint.generic), ...all.filter((c) => c.fingerprint.generic)]
}

export async function identifyServer(origin: string, get: SideGet): Promise<IdentifiedServer | undefined> {
  const root = origin.replace(/\/+$/, '')
  const list = candidates()
  const paths = [...new Set(list.map((c) => c.fingerprint.path))]
  const answers = new Map<string, { status: number; body: unknown }>()
  await Promise.all(
    paths.map(async (path) => {
      try {
        const res = await get(root + path, { maxBytes: 4 * 1024 * 1024 })
        answers.set(path, { status: res.status, body: parsed(res.body) })
      } catch {
        // nothing there (refused, timed out): this path tells nothing
      }
    }),
  )
  for (const { kind, fingerprint } of list) {
    const answer = answers.get(fingerprint.path)
    if (answer && fingerprint.matches(answer.status, answer.body)) {
      return { kind, baseUrl: fingerprint.baseUrl(root), ...(fingerprint.presetId ? { presetId: fingerprint.presetId } : {}) }
    }
  }
  return undefined
}

/** JSON when the body is JSON, else the text (a Prometheus page). */
function parsed(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}
