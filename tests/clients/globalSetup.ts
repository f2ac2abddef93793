// Before any case is collected: the gateway must be built and the CLIs installed (fail, with the
// command that fixes it, if not), and a gateway started from that build is asked whether it serves
// the client dialects still being added (OpenAI Responses, Gemini). Cases that need one are titled
// "[skipped: ...]" and skipped only when the path answers a route 404; any other answer means the
// path exists and the case runs. SWITCHYARD_REQUIRE_DIALECTS=1 turns those skips into failures.
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { CLIENTS, isInstalled } from '../../scripts/install-clients.mjs'
import { isBuilt } from '../helpers/serveProcess'
import { probeDialect, startGateway, type PendingDialect, type ProbeResult } from './harness/gateway'

declare module 'vitest' {
  export interface ProvidedContext {
    dialectProbes: Record<PendingDialect, ProbeResult>
  }
}

/** A loopback port nothing listens on (what a provider that is down looks like). */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

export default async function setup(project: TestProject): Promise<void> {
  if (!isBuilt()) throw new Error('the gateway is not built: run `npm run build` (or `npm run test:clients`, which builds first)')
  const missing = CLIENTS.filter((c) => !isInstalled(c))
  if (missing.length) throw new Error(`client CLIs not installed: ${missing.map((c) => `${c.pkg}@${c.version}`).join(', ')}; run \`node scripts/install-clients.mjs\``)

  // Artifacts of this run only: a case skipped now must not leave last run's files looking current.
  fs.rmSync(path.resolve(import.meta.dirname, '../../test-artifacts/clients'), { recursive: true, force: true })

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-clients-probe-'))
  const port = await closedPort()
  const gateway = await startGateway(
    { version: 1, activeProvider: 'down', providers: [{ id: 'down', kind: 'openai-compatible', baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'probe', defaultModel: 'probe-model', timeouts: { connectMs: 1000 } }] },
    dir,
  )
  try {
    const probes = {} as Record<PendingDialect, ProbeResult>
    for (const dialect of ['openai-responses', 'gemini'] as const) probes[dialect] = await probeDialect(gateway.url, dialect)
    project.provide('dialectProbes', probes)
  } finally {
    await gateway.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
