// What the renderer sees of the preload: present in Electron, absent in a browser (web mode).
import type { PreloadBridge } from '../shared/api'

declare global {
  interface Window {
    switchyard?: PreloadBridge
  }
}

export {}
