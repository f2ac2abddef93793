// Route and pricing-table keys as patterns. `isGlob` lives with the config format (the dashboard
// needs the same answer); matching lives here.
import { isGlob } from '../../../shared/config'

export { isGlob }

/** Compiles a route's model pattern (`*` any run, `?` one character) to an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let source = ''
  for (const ch of glob) {
    if (ch === '*') source += '.*'
    else if (ch === '?') source += '.'
    else source += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}


const compiled = new Map<string, RegExp>()

/**
 * The first entry of `table` whose key is a glob matching `name`, in key order. Patterns are
 * compiled once (pricing tables are looked up on every finished request).
 */
export function globEntry<T>(table: Readonly<Record<string, T>> | undefined, name: string): T | undefined {
  if (!table) return undefined
  for (const key in table) {
    if (!isGlob(key)) continue
    let pattern = compiled.get(key)
    if (!pattern) {
      if (compiled.size >= 1000) compiled.clear() // keys come from config; bounded anyway
      compiled.set(key, (pattern = globToRegExp(key)))
    }
    if (pattern.test(name)) return table[key]
  }
  return undefined
}
