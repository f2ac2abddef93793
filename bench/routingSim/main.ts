// `npm run bench:routing`: the routing simulator's report (see bench/README.md, "Routing simulator").
//   node bench/routingSim/run.mjs [--seeds N] [--first-seed S] [--extra] [--out DIR]
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { markdown, runMatrix } from './report'
import { EXTRA_FAMILIES, FAMILIES, STRATEGY_POLICIES } from './scenarios'

export function main(argv: string[], root: string): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string', default: '8' },
      'first-seed': { type: 'string', default: '1' },
      extra: { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(root, 'bench/results/routing-sim') },
      quiet: { type: 'boolean', default: false },
      /** Only these policies (comma-separated names, the references always run). */
      policies: { type: 'string' },
      /** Only these scenario families (comma-separated: equal, unequal, shared-prompts, cold-spare). */
      families: { type: 'string' },
    },
  })
  const pick = (list: string | undefined) => list?.split(',').map((x) => x.trim())
  const policyNames = pick(values.policies)
  const familyNames = pick(values.families)
  const policies = policyNames && STRATEGY_POLICIES.filter((p) => policyNames.includes(p.name))
  const families = familyNames && [...FAMILIES, ...EXTRA_FAMILIES].filter((f) => familyNames.includes(f.name))
  const n = Math.max(1, Math.min(64, Number(values.seeds) || 8))
  const first = Number(values['first-seed']) || 1
  const seeds = Array.from({ length: n }, (_, i) => first + i)
  const started = Date.now()
  const report = runMatrix({ seeds, extra: values.extra, policies, families, onProgress: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`) })
  const md = markdown(report)
  fs.mkdirSync(values.out!, { recursive: true })
  fs.writeFileSync(path.join(values.out!, 'latest.json'), JSON.stringify(report, null, 2))
  fs.writeFileSync(path.join(values.out!, 'latest.md'), `${md}\n`)
  process.stdout.write(`${md}\n\n(${report.runs.length} runs in ${((Date.now() - started) / 1000).toFixed(1)} s; written to ${path.relative(root, values.out!)}/latest.{md,json})\n`)
  return 0
}
