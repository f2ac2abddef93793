// The gateway core's public face: everything the two hosts (the Electron app in src/main/app and
// the plain-Node CLI in src/main/headless) may use. Nothing else of src/main/gateway is imported
// from outside it (eslint enforces this), so the core's insides can move without touching a host.
export { createGateway, DEFAULT_GRACE_MS, type Gateway, type GatewayOptions, type ListenOverride } from './createGateway'
export { ApiFailure } from './api/apiFailure'
export { createConfigHandlers } from './api/configHandlers'
export { providerViews } from './api/handlers'
export { GatewayError, openAIErrorType, toGatewayError } from './common/errors'
export { EventHub } from './common/events'
export { createLogger, type Logger } from './common/log'
export { sendJson, sendOpenAIError } from './common/respond'
export type { ConfigStore, SecretResolver } from './common/types'
export type { HostRoutes, RequestContext } from './pipeline/context'
export type { Router } from './routing/router'
export { isLoopbackHost } from './runtime/guardPolicy'
export { isJsonContentType, parseJsonObject, readBody } from './server/body'
