// Saves an ExportFile the way a browser does for a link with `download`: a Blob URL on a
// temporary anchor. Works in the headless dashboard and in Electron (which asks where to save).
import type { ExportFile } from '../../../shared/api'

export interface DownloadEnv {
  document: Pick<Document, 'createElement' | 'body'>
  URL: Pick<typeof URL, 'createObjectURL' | 'revokeObjectURL'>
}

export function downloadFile(file: ExportFile, env: DownloadEnv = { document, URL }): void {
  const url = env.URL.createObjectURL(new Blob([file.body], { type: file.contentType }))
  const a = env.document.createElement('a')
  a.href = url
  a.download = safeFilename(file.filename)
  a.rel = 'noopener'
  a.style.display = 'none'
  env.document.body.appendChild(a)
  a.click()
  a.remove()
  // Revoked after the click has been handled; revoking at once cancels the download in some browsers.
  setTimeout(() => env.URL.revokeObjectURL(url), 10_000)
}

/** The server names the file; still, no paths or odd characters reach the save dialog. */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  const clean = base.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '')
  return clean || 'switchyard-export'
}
