// The app API's names and channels as plain data: what the preload bundles. The preload must not
// pull in the schemas of api.ts (zod, ~200 KB) just to know which operations exist; api.ts checks
// at compile time that this list and its operations are the same set.
export const OPERATION_NAMES = [
  'getStatus',
  'setPaused',
  'getConfig',
  'replaceConfig',
  'listProviders',
  'upsertProvider',
  'removeProvider',
  'testProvider',
  'testProviderDraft',
  'discoverModels',
  'setActiveProvider',
  'getToolModels',
  'resolveModel',
  'getRouteInsights',
  'getStats',
  'getStatsHistory',
  'getUsage',
  'getTeamStatus',
  'getTodayUsage',
  'exportUsage',
  'listRequests',
  'getRequestFacets',
  'listApps',
  'createApp',
  'revokeApp',
  'getDiscovery',
  'scanDiscovery',
  'addDiscovered',
  'listTools',
  'connectTool',
  'restoreTool',
  'getDesktopSettings',
  'updateDesktopSettings',
  'getUpdateStatus',
  'checkForUpdates',
  'installUpdate',
] as const

export type OperationName = (typeof OPERATION_NAMES)[number]

export const EVENT_NAMES = ['stats', 'status', 'update'] as const
export type EventName = (typeof EVENT_NAMES)[number]

export const ipcChannel = (name: OperationName): string => `switchyard:${name}`
export const ipcEventChannel = (name: EventName): string => `switchyard:event:${name}`
