// Preload (sandboxed, CommonJS): exposes exactly the api.ts operations to the renderer.
import { contextBridge, ipcRenderer } from 'electron'
import { buildBridge } from './bridge'

contextBridge.exposeInMainWorld('switchyard', buildBridge(ipcRenderer))
