// Which hosts and browser origins may talk to the gateway, built from config and the bound
// address (never from a request's own Host header).

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

export interface GuardPolicy {
  /** Extra host names accepted besides loopback (the bind address when it is not loopback). */
  extraHosts: ReadonlySet<string>
  /** When bound to a wildcard address any IP literal is a legitimate Host. */
  acceptIpLiterals: boolean
  allowedOrigins: ReadonlySet<string>
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

export function buildGuardPolicy(bindHost: string, allowedOrigins: readonly string[]): GuardPolicy {
  const extraHosts = new Set<string>()
  const wildcard = bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '[::]'
  if (!wildcard && !isLoopbackHost(bindHost)) extraHosts.add(bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost)
  return { extraHosts, acceptIpLiterals: wildcard, allowedOrigins: new Set(allowedOrigins.map(normalizeOrigin)) }
}

export function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase()
}

