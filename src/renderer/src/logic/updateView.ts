// What the dashboard says about the desktop app's self-update, as a pure function of its status.
import type { UpdateStatus } from '../../../shared/api'

export interface UpdateView {
  /** Shown at all (desktop builds that can update, or say why not). */
  visible: boolean
  line: string
  /** The button: check now, or restart into the downloaded version. */
  action?: 'check' | 'install'
  busy: boolean
  notes?: string
}

export function updateView(status: UpdateStatus | undefined): UpdateView {
  if (!status) return { visible: false, line: '', busy: false }
  const current = `Switchyard ${status.currentVersion}`
  switch (status.state) {
    case 'unsupported':
      return { visible: true, line: `${current}. Automatic updates are not available: ${status.reason ?? 'unsupported here'}.`, busy: false }
    case 'disabled':
      return { visible: true, line: `${current}. Automatic updates are off.`, action: 'check', busy: false }
    case 'idle':
      return { visible: true, line: `${current} is up to date${status.lastCheckAt ? ` (checked ${new Date(status.lastCheckAt).toLocaleString()})` : ''}.`, action: 'check', busy: false }
    case 'checking':
      return { visible: true, line: 'Checking for updates…', busy: true }
    case 'available':
      return { visible: true, line: `Version ${status.version} is available; downloading it in the background.`, busy: true, notes: status.releaseNotes }
    case 'downloading':
      return { visible: true, line: `Downloading version ${status.version} — ${status.percent ?? 0}%`, busy: true, notes: status.releaseNotes }
    case 'downloaded':
      return { visible: true, line: `Version ${status.version} is ready. Restarting finishes running requests first.`, action: 'install', busy: false, notes: status.releaseNotes }
    case 'error':
      return { visible: true, line: `The last update check failed: ${status.reason ?? 'unknown error'}.`, action: 'check', busy: false }
  }
}
