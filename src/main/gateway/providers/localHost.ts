// Whether a host name is this machine or the local network: loopback, a private or link-local
// address (RFC 1918, CGNAT/Tailscale 100.64/10, fc00::/7, fe80::/10), `localhost`, a single-label
// name (`gpu-box`) or a LAN suffix (`.local`, `.lan`, `.internal`, `.home.arpa`).
const LAN_SUFFIXES = ['.local', '.lan', '.internal', '.home.arpa', '.localhost', '.localdomain']

export function isLocalHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  if (host === 'localhost' || host === '' || host === '::1' || host === '::') return true
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])]
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)
  }
  if (host.includes(':')) {
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(host)
    if (mapped) return isLocalHost(mapped[1]!)
    return /^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host)
  }
  if (!host.includes('.')) return true // a single-label name only resolves on the local network
  return LAN_SUFFIXES.some((suffix) => host.endsWith(suffix))
}
