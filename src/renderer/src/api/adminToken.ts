// Web mode: the admin token arrives in the dashboard link (`/ui/#token=…`). It is moved into
// sessionStorage (survives reloads of this tab, not the browser) and removed from the address
// bar so it does not linger in history or screenshots.
const STORAGE_KEY = 'switchyard.adminToken'

export interface TokenEnv {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>
  history: Pick<History, 'replaceState'>
  storage: Pick<Storage, 'getItem' | 'setItem'>
}

export function takeAdminToken(env: TokenEnv): string | undefined {
  const params = new URLSearchParams(env.location.hash.replace(/^#/, ''))
  const fromLink = params.get('token')
  if (fromLink) {
    env.storage.setItem(STORAGE_KEY, fromLink)
    params.delete('token')
    const rest = params.toString()
    env.history.replaceState(null, '', `${env.location.pathname}${env.location.search}${rest ? `#${rest}` : ''}`)
    return fromLink
  }
  return env.storage.getItem(STORAGE_KEY) ?? undefined
}
