// The providers folder's public face: the adapter contract, the registry of kinds, how the
// gateway reaches a provider (runtime, side-channel targets), the one price lookup, and the
// side-channel machinery (model catalog, load monitor, backend identification).
export type * from './adapter'
export { adapterFor, maybeAdapterFor, PROVIDER_ADAPTERS } from './registry'
export { providerRuntime, servedModels, spokenDialects, type ProviderRuntime, type SpokenDialect, type Upstream } from './providerRuntime'
export { backendTargetOf, type BackendTarget } from './backendTarget'
export { baseModelName, blendedPrice, DEFAULT_PRICES, priceFor } from './pricing'
export { isLocalHost, isLocalProvider } from './locality'
export { identifyServer, type IdentifiedServer } from './identify'
export { anthropicUpstreamHeaders, DEFAULT_ANTHROPIC_VERSION } from './kinds/anthropic/upstream'
