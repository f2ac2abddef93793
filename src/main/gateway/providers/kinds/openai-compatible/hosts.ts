// What differs between well-known OpenAI-compatible clouds, by host: the quirks of their chat
// dialect when a request is translated into it, and whether they serve the Responses API. A host
// not listed here gets the OpenAI defaults; a self-hosted server is told apart by kind (vllm,
// ollama, llamacpp), not by host.
import type { DialectQuirks } from '../../adapter'

export interface HostProfile {
  /** `api.openai.com` matches that host only; `.deepseek.com` matches it and every subdomain. */
  host: string
  /** Quirks of the chat dialect on this host. */
  quirks: DialectQuirks
  /** Serves `/responses` under the same base. */
  responses?: boolean
}

export const WELL_KNOWN_HOSTS: readonly HostProfile[] = [
  // Reasoning models take only max_completion_tokens and reject reasoning fields on turns sent back.
  { host: 'api.openai.com', quirks: { reasoningField: 'omit', maxTokensField: 'max_completion_tokens' }, responses: true },
  // Thinking mode answers 400 when a tool-calling assistant turn comes back without reasoning_content.
  { host: '.deepseek.com', quirks: { reasoningField: 'reasoning_content', reasoningOnToolTurns: true } },
]

/** The profile of the host a base URL points at; undefined for other hosts (and unparsable URLs). */
export function hostProfile(baseUrl: string): HostProfile | undefined {
  let host: string
  try {
    host = new URL(baseUrl).hostname.toLowerCase()
  } catch {
    return undefined
  }
  return WELL_KNOWN_HOSTS.find((p) => (p.host.startsWith('.') ? host === p.host.slice(1) || host.endsWith(p.host) : host === p.host))
}
