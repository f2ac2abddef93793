// The dashboard's screens and the address-bar hash that selects one (`#/usage`). Hash routing
// works the same from file:// (Electron) and /ui/ (headless), and never reloads the page.
export const VIEWS = [
  { id: 'overview', label: 'Overview' },
  { id: 'providers', label: 'Providers' },
  { id: 'routes', label: 'Routes' },
  { id: 'usage', label: 'Usage' },
  { id: 'requests', label: 'Requests' },
  { id: 'tools', label: 'Tools' },
  { id: 'settings', label: 'Settings' },
] as const

export type ViewId = (typeof VIEWS)[number]['id']

export function viewFromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '').split(/[?&/]/)[0]
  return VIEWS.some((v) => v.id === id) ? (id as ViewId) : 'overview'
}

export function hashFor(view: ViewId): string {
  return `#/${view}`
}
