// Where the gateway's worker-thread scripts are at run time. electron-vite builds each one as its
// own entry next to the hosts' entries (electron.vite.config.ts: out/main/ledgerWorker.js,
// out/main/tokenWorker.js), for the Electron app (inside app.asar, which worker threads can load
// from) and the headless CLI alike, while the code that starts them may sit in out/main/ or in
// out/main/chunks/. Tests and benches that run the TypeScript sources bundle the workers
// themselves and say where through SWITCHYARD_WORKER_DIR, which a build's own scripts take
// precedence over (a built CLI started by a test runs what it was built with). Undefined: no
// script (the caller then does the work on its own thread).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export type WorkerName = 'ledgerWorker' | 'tokenWorker'

/** Set by test and bench harnesses that run the sources: a folder holding `<name>.js` bundles. */
export const WORKER_DIR_ENV = 'SWITCHYARD_WORKER_DIR'

export function workerScript(name: WorkerName, from: string = import.meta.url, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = []
  if (from.startsWith('file:')) {
    const here = path.dirname(fileURLToPath(from))
    // A built entry beside this module (out/main/) or one folder up (this module in out/main/chunks/).
    candidates.push(path.join(here, `${name}.js`), path.join(here, '..', `${name}.js`))
  }
  const bundled = env[WORKER_DIR_ENV]
  if (bundled) candidates.push(path.join(bundled, `${name}.js`))
  return candidates.find((file) => fs.existsSync(file))
}
