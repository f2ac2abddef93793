// The workflows in .github/workflows: they pass the linter `npm run lint` runs, the linter can
// fail, and they do what issue 16 asks of CI and releases.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { lintWorkflows, projectRuleProblems } from '../../../scripts/lint-workflows.mjs'
import { importClosure, layoutProblems, TOKENIZER_ENTRIES, trayIconFiles } from '../../../scripts/check-pack-layout.mjs'

const root = path.resolve(import.meta.dirname, '../../..')
const dir = path.join(root, '.github/workflows')
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown }
type Step = { name?: string; run?: string; uses?: string; if?: string; env?: Record<string, string>; with?: Record<string, unknown> }
type Job = { 'runs-on': string; needs?: string | string[]; steps: Step[]; strategy?: { matrix: Record<string, unknown> }; env?: Record<string, string>; if?: string }
const load = (file: string) => yaml.load(fs.readFileSync(path.join(dir, file), 'utf8')) as { on: Record<string, unknown>; jobs: Record<string, Job> }

describe('workflow lint', () => {
  it('passes on the repository’s workflows', () => {
    const result = lintWorkflows(dir, pkg)
    expect(result.files.sort()).toEqual(['ci.yml', 'release.yml'])
    expect(result.problems).toEqual([])
  })

  it('fails on schema errors, unknown npm scripts, unpinned actions, missing timeouts and inline secrets', () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-wf-'))
    try {
      fs.writeFileSync(
        path.join(bad, 'bad.yml'),
        [
          'on: pushh',
          'jobs:',
          '  a:',
          '    runs-on: ubuntu-24.04',
          '    needs: [nope]',
          '    steps:',
          '      - uses: actions/checkout@main',
          '      - run: npm run no-such-script',
          '      - run: echo ${{ secrets.TOKEN }}',
        ].join('\n'),
      )
      const problems = lintWorkflows(bad, pkg).problems.join('\n')
      expect(problems).toMatch(/bad\.yml: .* at \/on/) // schema (action-validator)
      expect(problems).toContain('nope') // a needs that names no job
      expect(problems).toContain('pin actions/checkout@main')
      expect(problems).toContain('npm run no-such-script is not a script in package.json')
      expect(problems).toContain('set timeout-minutes')
      expect(problems).toContain('declare top-level permissions')
      expect(problems).toContain('pass secrets through env:')
    } finally {
      fs.rmSync(bad, { recursive: true, force: true })
    }
    expect(projectRuleProblems('x.yml', ':\n  - [', pkg)[0]).toMatch(/^x\.yml: not YAML/)
  })
})

describe('ci.yml', () => {
  const ci = load('ci.yml')
  it('runs npm test on Linux', () => {
    expect(ci.jobs.test!['runs-on']).toMatch(/^ubuntu/)
    expect(ci.jobs.test!.steps.some((s) => s.run === 'npm test')).toBe(true)
  })

  it('runs the Electron e2e on Linux (xvfb), macOS and Windows after building the Electron-ABI SQLite, and requires it to run', () => {
    const job = ci.jobs.electron!
    const oses = (job.strategy!.matrix.os as string[]).map((o) => o.split('-')[0])
    expect(oses.sort()).toEqual(['macos', 'ubuntu', 'windows'])
    expect(job.env?.SWITCHYARD_REQUIRE_ELECTRON).toBe('1')
    const runs = job.steps.map((s) => s.run ?? '')
    const native = runs.findIndex((r) => r.includes('npm run native:electron'))
    const e2e = runs.map((r, i) => (r.includes('npm run test:electron') ? i : -1)).filter((i) => i >= 0)
    expect(native).toBeGreaterThan(runs.findIndex((r) => r.includes('install-electron')))
    expect(e2e).toHaveLength(2)
    for (const i of e2e) expect(i).toBeGreaterThan(native)
    expect(runs.find((r) => r.includes('test:electron') && r.includes('xvfb-run'))).toBeDefined()
    expect(job.steps.find((s) => s.run?.includes('xvfb-run'))!.if).toBe("runner.os == 'Linux'")
  })
})

describe('release.yml', () => {
  const release = load('release.yml')
  const packageJob = release.jobs.package!
  const publishStep = packageJob.steps.find((s) => s.run?.includes('--publish'))!

  it('runs on version tags, for mac, win and linux, through the credential check in scripts/package.mjs', () => {
    expect(release.on.push).toEqual({ tags: ['v*'] })
    const include = packageJob.strategy!.matrix.include as { platform: string }[]
    expect(include.map((i) => i.platform).sort()).toEqual(['linux', 'mac', 'win'])
    expect(publishStep.run).toBe('node scripts/package.mjs --platform ${{ matrix.platform }} --publish')
    expect(publishStep.if).toBe("github.event_name == 'push'")
  })

  it('hands every signing and notarization credential to that check', () => {
    const env = Object.keys(publishStep.env ?? {})
    for (const name of ['GH_TOKEN', 'CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_SIGN_ENDPOINT', 'SWITCHYARD_WIN_SIGN_COMMAND']) {
      expect(env, name).toContain(name)
    }
  })

  it('unsigned builds only by hand, as named dev builds that are never published', () => {
    const dev = packageJob.steps.find((s) => s.run?.includes('--dev'))!
    expect(dev.if).toBe("github.event_name == 'workflow_dispatch'")
    expect(dev.run).not.toContain('--publish')
  })

  it('publishes checksums of every artifact', () => {
    const sums = release.jobs.checksums!
    expect(sums.needs).toBe('package')
    expect(sums.steps.map((s) => s.run ?? '').join('\n')).toContain('gh release upload "$GITHUB_REF_NAME" SHA256SUMS')
    expect(packageJob.steps.map((s) => s.run ?? '').join('\n')).toMatch(/sha256sum|shasum -a 256/)
  })
})

describe('package layout check (scripts/check-pack-layout.mjs)', () => {
  const tokenizer = importClosure(path.join(root, 'node_modules/gpt-tokenizer'), TOKENIZER_ENTRIES)
  const good = {
    asarFiles: ['/package.json', '/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/node_modules/better-sqlite3/lib/index.js', ...tokenizer.map((f) => `/node_modules/gpt-tokenizer/${f}`)],
    resourceFiles: ['app.asar', 'native/better_sqlite3.node', 'resources/icon.png', ...trayIconFiles('linux').map((f) => `resources/${f}`)],
    platform: 'linux' as const,
    tokenizerFiles: tokenizer,
    trayIcons: trayIconFiles('linux'),
  }

  it('the tokenizer closure is the two encodings and what they import, not the other vocabularies', () => {
    expect(tokenizer).toEqual(expect.arrayContaining(['esm/encoding/cl100k_base.js', 'esm/encoding/o200k_base.js', 'esm/bpeRanks/cl100k_base.js', 'esm/bpeRanks/o200k_base.js']))
    expect(tokenizer.some((f) => /p50k_base|r50k_base/.test(f) && f.startsWith('esm/bpeRanks'))).toBe(false)
  })

  it('accepts a good layout and names each problem of a bad one', () => {
    expect(layoutProblems(good)).toEqual([])
    const bad = layoutProblems({
      ...good,
      asarFiles: [...good.asarFiles.filter((f) => f !== '/out/preload/index.cjs' && !f.endsWith('bpeRanks/o200k_base.js')), '/node_modules/better-sqlite3/build/Release/better_sqlite3.node', '/node_modules/gpt-tokenizer/esm/bpeRanks/r50k_base.js', '/out/main/index.js.map'],
      resourceFiles: good.resourceFiles.filter((f) => f !== 'native/better_sqlite3.node' && f !== 'resources/tray-error.png'),
    })
    expect(bad).toEqual(
      expect.arrayContaining([
        'app.asar lacks /out/preload/index.cjs',
        'app.asar holds a native addon (/node_modules/better-sqlite3/build/Release/better_sqlite3.node); the Electron build ships in resources/native',
        'gpt-tokenizer/esm/bpeRanks/o200k_base.js is imported but not packed',
        'gpt-tokenizer/esm/bpeRanks/r50k_base.js is packed but never imported',
        'app.asar holds a source map (/out/main/index.js.map)',
        'resources/native/better_sqlite3.node is missing (the Electron build of better-sqlite3)',
        'resources/resources/tray-error.png is missing',
      ]),
    )
  })
})
