// Fakes for adapter tests: a side-channel `get` answering from a table (and recording what was
// asked), and targets/runtimes built the way the gateway builds them.
import type { SideGet, SideTarget } from '../../../../src/main/gateway/providers/adapter'
import { providerRuntime, type ProviderRuntime } from '../../../../src/main/gateway/providers/providerRuntime'
import { backendTargetOf } from '../../../../src/main/gateway/providers/backendTarget'
import { parseProvider } from '../../../../src/shared/config'

export type Answer = { status: number; body: unknown } | (() => { status: number; body: unknown })

export interface FakeGet {
  get: SideGet
  asked: string[]
}

/** Answers each URL from `table` (JSON-encoded unless the body is a string); 404 for anything else. */
export function fakeGet(table: Record<string, Answer>): FakeGet {
  const asked: string[] = []
  const get: SideGet = async (url) => {
    asked.push(url)
    const entry = table[url]
    const answer = typeof entry === 'function' ? entry() : (entry ?? { status: 404, body: { error: 'not found' } })
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)
    return { status: answer.status, headers: {}, body, latencyMs: 1 }
  }
  return { get, asked }
}

export function runtimeOf(raw: Record<string, unknown>, secrets: Record<string, string> = {}): ProviderRuntime {
  const parsed = parseProvider({ id: 'p', ...raw })
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  return providerRuntime(parsed.provider, { resolve: (stored) => (stored.startsWith('env:') ? secrets[stored.slice(4)] : stored) })
}

export function targetOf(raw: Record<string, unknown>): SideTarget {
  return backendTargetOf(runtimeOf(raw))
}

/** Where an upstream request for a dialect goes: origin + base path. */
export function baseOf(rt: ProviderRuntime, dialect?: string): string {
  const d = dialect === undefined ? rt.dialects[0] : rt.dialects.find((x) => x.dialect === dialect)
  if (!d) throw new Error(`${rt.config.kind} does not speak ${dialect}`)
  return d.upstream.origin + d.upstream.basePath
}
