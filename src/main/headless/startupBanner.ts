// What `switchyard serve` prints on stdout once it listens. The `listening on` line is a contract
// (scripts and tests wait for it). The dashboard link carries the admin token, so it is printed
// only to a terminal: a redirected stdout ends up in journald, CI logs and log shippers, where
// the URL alone is printed with a note on where the token is.
import type { AdminTokenSource } from './adminToken'

export interface BannerInput {
  /** `http://HOST:PORT` */
  url: string
  /** The dashboard link with the token in its fragment. */
  dashboardUrl: string
  adminTokenSource: AdminTokenSource
}

export function startupBanner(input: BannerInput, stdoutIsTerminal: boolean): string {
  const dashboard = stdoutIsTerminal ? input.dashboardUrl : `${input.url}/ui/ (admin token: ${whereTheTokenIs(input.adminTokenSource)})`
  return `listening on ${input.url}\ndashboard: ${dashboard}\n`
}

function whereTheTokenIs(source: AdminTokenSource): string {
  switch (source.kind) {
    case 'flag':
      return 'the --admin-token value'
    case 'env':
      return 'the SWITCHYARD_ADMIN_TOKEN value'
    case 'file':
      return `in ${source.path}`
  }
}
