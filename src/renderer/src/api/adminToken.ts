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

/**
 * A dashboard link pasted into the tab that is already open (`…/ui/#token=…`) changes only the
 * hash: take the token from it (and out of the address bar) and hand it on, without a reload.
 */
export function watchTokenLinks(win: Pick<Window, 'addEventListener' | 'removeEventListener'>, env: TokenEnv, onToken: (token: string) => void): () => void {
  const listener = (): void => {
    if (!/token=/.test(env.location.hash)) return
    const token = takeAdminToken(env)
    if (token) onToken(token)
  }
  win.addEventListener('hashchange', listener)
  return () => win.removeEventListener('hashchange', listener)
}
