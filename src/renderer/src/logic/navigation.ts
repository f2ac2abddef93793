// The dashboard's screens and the address-bar hash that selects one (`#/usage`). Hash routing
// works the same from file:// (Electron) and /ui/ (headless), and never reloads the page.
import { VIEWS, type ViewId } from '../../../shared/dashboardViews'

export { hashFor, VIEWS, type ViewId } from '../../../shared/dashboardViews'

export function viewFromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '').split(/[?&/]/)[0]
  return VIEWS.some((v) => v.id === id) ? (id as ViewId) : 'overview'
}
