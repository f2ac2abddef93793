// Ingress guard: DNS-rebinding and cross-site protection for a server that lives on localhost.
// The allowlist is built from config and the bound address, never from the Host header itself.
import type { IncomingHttpHeaders } from 'node:http'
import { GatewayError } from '../common/errors'
import { isLoopbackHost, normalizeOrigin, type GuardPolicy } from '../runtime/guardPolicy'

export { isLoopbackHost, buildGuardPolicy, type GuardPolicy } from '../runtime/guardPolicy'

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
