// The team deployment files in deploy/ stay valid: the example config parses with the shared
// schema (team mode, key pools), and the compose file and systemd unit run the real CLI flags.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { keyPoolOf, parseConfig } from '../../../src/shared/config'

const read = (p: string): string => fs.readFileSync(new URL(`../../../deploy/${p}`, import.meta.url), 'utf8')

describe('deploy/', () => {
  it('switchyard.json is a valid team config with a key pool', () => {
    const parsed = parseConfig(JSON.parse(read('switchyard.json')))
    if (!parsed.ok) throw new Error(parsed.errors.join('; '))
    expect(parsed.config.state).toMatchObject({ redis: 'env:SWITCHYARD_REDIS_URL', failMode: 'closed' })
    expect(keyPoolOf(parsed.config.providers[0]!).map((k) => k.label)).toEqual(['team-a', 'team-b'])
  })

  it('compose runs two instances and Redis; the unit starts `serve` with the flags the CLI has', () => {
    const compose = read('docker-compose.yml')
    expect(compose).toMatch(/switchyard-a:/)
    expect(compose).toMatch(/switchyard-b:/)
    expect(compose).toMatch(/redis:\s*\n\s*image: redis:7/)
    const unit = read('systemd/switchyard.service')
    expect(unit).toMatch(/ExecStart=.*bin\/switchyard\.js serve --config \S+ --data-dir \S+ --host 0\.0\.0\.0 --port 7171/)
    const cli = fs.readFileSync(new URL('../../../src/main/headless/cli.ts', import.meta.url), 'utf8')
    for (const flag of ['config', 'data-dir', 'host', 'port']) expect(cli).toMatch(new RegExp(`^\\s*'?${flag}'?: \\{ type: 'string' \\}`, 'm'))
  })
})
