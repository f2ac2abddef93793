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

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?')
}
