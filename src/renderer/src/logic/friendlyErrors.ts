// Validation errors from the gateway ("invalid config: providers[0].baseUrl: Invalid URL") in
// words a person can act on: which provider or setting, which field, what is wrong.
const FIELD_LABELS: Record<string, string> = {
  baseUrl: 'Base URL',
  apiKey: 'API key',
  id: 'Id',
  name: 'Name',
  kind: 'Kind',
  weight: 'Weight',
  defaultModel: 'Default model',
  models: 'Models',
  'limits.rpm': 'Requests / min',
  'limits.tpm': 'Tokens / min',
  'limits.maxConcurrent': 'Concurrent requests',
  'queue.maxSize': 'Queue size',
  'queue.timeoutMs': 'Queue wait',
  'server.host': 'Bind address',
  'server.port': 'Port',
  'server.allowedOrigins': 'Allowed origins',
  activeProvider: 'Active provider',
}

const MESSAGES: Array<[RegExp, string]> = [
  [/^Invalid URL$/i, 'not a URL the gateway accepts (check for spaces, a missing http://, or unusual characters in the host)'],
  [/^must be an http/i, 'must start with http:// or https://'],
  [/Too small: expected number to be >0/i, 'must be more than 0 (leave it empty for no limit)'],
  [/Too small: expected number to be >=0/i, 'cannot be negative'],
  [/expected int/i, 'must be a whole number'],
  [/Unrecognized key/i, 'not a setting Switchyard knows (a typo?)'],
]

/** One "path: message" issue as a sentence; `providers` resolves provider indexes to their ids. */
export function friendlyIssue(issue: string, providers: readonly string[] = []): string {
  const m = /^([\w[\].]+): (.*)$/.exec(issue.trim())
  if (!m) return issue
  const [, path, raw] = m as unknown as [string, string, string]
  const message = MESSAGES.find(([re]) => re.test(raw))?.[1] ?? raw
  const prov = /^providers\[(\d+)\]\.?(.*)$/.exec(path)
  if (prov) {
    const id = providers[Number(prov[1])]
    const field = FIELD_LABELS[prov[2]!] ?? prov[2]
    return `${id ? `Provider “${id}”` : `Provider ${Number(prov[1]) + 1}`}${field ? ` — ${field}` : ''}: ${message}`
  }
  const route = /^routes\[(\d+)\](?:\.targets\[(\d+)\])?\.?(.*)$/.exec(path)
  if (route) return `Route ${Number(route[1]) + 1}${route[2] !== undefined ? `, target ${Number(route[2]) + 1}` : ''}${route[3] ? ` — ${FIELD_LABELS[route[3]] ?? route[3]}` : ''}: ${message}`
  return `${FIELD_LABELS[path] ?? path}: ${message}`
}

/** `invalid config: a; b` / `invalid provider: a` -> friendly sentences; other messages unchanged. */
export function friendlyError(message: string, providers: readonly string[] = []): string {
  const m = /^invalid (config|provider): (.*)$/s.exec(message)
  if (!m) return message
  return m[2]!
    .split('; ')
    .map((issue) => friendlyIssue(issue, providers))
    .join('. ')
}
