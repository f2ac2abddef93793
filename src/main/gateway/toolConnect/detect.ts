// Is a tool installed? Its config folder exists, or its command is on PATH.
import fs from 'node:fs'
import path from 'node:path'
import type { ToolPlace, ToolSpec } from './catalog'

export function onPath(command: string, p: ToolPlace): string | undefined {
  const dirs = (p.env.PATH ?? p.env.Path ?? '').split(path.delimiter).filter((d) => d !== '')
  const exts = p.platform === 'win32' ? (p.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : ['']
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, command + ext)
      try {
        const st = fs.statSync(candidate)
        if (st.isFile() && (p.platform === 'win32' || (st.mode & 0o111) !== 0)) return candidate
      } catch {
        // not here
      }
    }
  }
  return undefined
}

/** What shows the tool is installed, as a person would read it ("~/.claude", "claude on PATH"). */
export function evidenceFor(spec: ToolSpec, p: ToolPlace): string[] {
  const found: string[] = []
  for (const dir of spec.dirs(p)) if (fs.existsSync(dir)) found.push(displayPath(dir, p.home))
  if (spec.mode === 'file' && found.length === 0 && fs.existsSync(spec.file(p))) found.push(displayPath(spec.file(p), p.home))
  for (const bin of spec.binaries) if (onPath(bin, p)) found.push(`${bin} on PATH`)
  return found
}

export function displayPath(file: string, home: string): string {
  return file === home ? '~' : file.startsWith(home + path.sep) ? `~/${file.slice(home.length + 1).split(path.sep).join('/')}` : file
}
