// Ingress guard: DNS-rebinding and cross-site protection for a server that lives on localhost.
// The allowlist is built from config and the bound address, never from the Host header itself.
import type { IncomingHttpHeaders } from 'node:http'
import { GatewayError } from '../errors'

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

/** The host name of a Host header without its port; '' when absent or malformed. */
export function hostName(hostHeader: string | undefined): string {
  if (!hostHeader) return ''
  if (hostHeader.startsWith('[')) {
    const end = hostHeader.indexOf(']')
    return end === -1 ? '' : hostHeader.slice(0, end + 1).toLowerCase()
  }
  const colon = hostHeader.indexOf(':')
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase()
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.startsWith('[') && host.endsWith(']'))
}

function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase()
}

/** Throws the 403 a request must get, or returns when it may proceed. */
export function checkRequest(headers: IncomingHttpHeaders, policy: GuardPolicy): void {
  const host = hostName(headers.host)
  const hostOk = host !== '' && (isLoopbackHost(host) || policy.extraHosts.has(host) || (policy.acceptIpLiterals && isIpLiteral(host)))
  if (!hostOk) {
    throw new GatewayError('forbidden_host', 'Host header is not an address of this gateway (DNS rebinding protection)')
  }
  const origin = headers.origin
  if (origin !== undefined) {
    if (!isOwnOrigin(origin, headers.host ?? '') && !policy.allowedOrigins.has(normalizeOrigin(origin))) {
      throw new GatewayError('forbidden_origin', `browser origin ${JSON.stringify(origin.slice(0, 200))} is not allowed; add it to server.allowedOrigins`)
    }
    return
  }
  // Without an Origin, a browser still tells us where the request came from.
  if (headers['sec-fetch-site'] === 'cross-site') {
    throw new GatewayError('forbidden_origin', 'cross-site browser requests are not allowed')
  }
}

/** The dashboard served by this gateway calls its own admin API: that origin is ours. */
function isOwnOrigin(origin: string, hostHeader: string): boolean {
  const lower = origin.toLowerCase()
  return lower === `http://${hostHeader.toLowerCase()}` && isLoopbackHost(hostName(hostHeader))
}
