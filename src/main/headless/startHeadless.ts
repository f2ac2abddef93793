// Composition root for plain Node: conf-backed config, env secrets, the gateway, and on the
// same port the web bridge and the dashboard.
import fs from 'node:fs'
import path from 'node:path'
import { createGateway, type Gateway } from '../gateway'
import type { Logger } from '../gateway'
import type { GatewayStatus } from '../../shared/api'
import { resolveAdminToken, type AdminTokenSource } from './adminToken'
import { ConfigFileError } from '../config/confConfigStore'
import { openFileConfigStore } from './fileConfigStore'
import { envSecretResolver } from './envSecrets'
import { createStaticUi } from './staticUi'
import { createWebBridge } from './webBridge'

export interface HeadlessOptions {
  dataDir: string
  configFile?: string
  host?: string
  port?: number
  adminToken?: string
  /** Directory of the built dashboard (out/renderer). */
  uiDir: string
  logger: Logger
  version?: string
}

export interface HeadlessHandle {
  gateway: Gateway
  status: GatewayStatus
  url: string
  /** The dashboard link with the admin token (print it only where the token may be seen). */
  dashboardUrl: string
  adminToken: string
  adminTokenSource: AdminTokenSource
  close(graceMs?: number): Promise<void>
}

export async function startHeadless(opts: HeadlessOptions): Promise<HeadlessHandle> {
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 })
  const configFile = path.resolve(opts.configFile ?? path.join(opts.dataDir, 'config.json'))
  if (opts.configFile && !fs.existsSync(configFile)) throw new ConfigFileError(`config file not found: ${configFile}`)
  const configStore = openFileConfigStore(configFile, opts.logger)
  const { token: adminToken, source: adminTokenSource } = resolveAdminToken(opts.dataDir, opts.adminToken)
  const serveUi = createStaticUi(opts.uiDir)
  const gateway = createGateway({
    configStore,
    secrets: envSecretResolver(opts.logger),
    dataDir: opts.dataDir,
    logger: opts.logger,
    version: opts.version,
    hostRoutes: (gw) => {
      const bridge = createWebBridge({ handlers: gw.api, events: gw.events, adminToken, logger: opts.logger })
      return async (ctx) => (await bridge(ctx)) || (await serveUi(ctx))
    },
  })
  let status: GatewayStatus
  try {
    status = await gateway.start({ host: opts.host, port: opts.port })
  } catch (err) {
    configStore.close()
    await gateway.stop(0)
    throw err
  }
  const url = status.url!
  return {
    gateway,
    status,
    url,
    dashboardUrl: `${url}/ui/#token=${encodeURIComponent(adminToken)}`,
    adminToken,
    adminTokenSource,
    async close(graceMs) {
      configStore.close()
      await gateway.stop(graceMs)
    },
  }
}
