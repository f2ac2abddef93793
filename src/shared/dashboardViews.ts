// The dashboard's screens by id: the renderer routes on them (`#/tools`), and the desktop app
// opens the window on one (the tray's "Connect a Tool" leads to the Tools screen).
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

/** The address-bar hash that selects a screen. */
export function hashFor(view: ViewId): string {
  return `#/${view}`
}
