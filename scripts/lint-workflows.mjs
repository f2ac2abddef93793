#!/usr/bin/env node
// @ts-check
// Lints .github/workflows/*.yml (part of `npm run lint`, so of `npm test`):
//   1. @action-validator/core: GitHub's workflow schema (events, job and step keys, `needs`
//      that name no job, ...), compiled to WebAssembly, nothing fetched;
//   2. this project's rules, which a schema cannot know: actions pinned to a version, every
//      `npm run X` naming a script of package.json, every job bounded by timeout-minutes,
//      permissions declared, and no secret echoed into a run script.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { validateWorkflow } from '@action-validator/core'

const yaml = /** @type {{ load(text: string): unknown }} */ (createRequire(import.meta.url)('js-yaml'))

/**
 * Problems of one workflow against the project's rules.
 * @param {string} name @param {string} text @param {{ scripts: Record<string, string> }} pkg
 * @returns {string[]}
 */
export function projectRuleProblems(name, text, pkg) {
  /** @type {string[]} */
  const problems = []
  /** @type {any} */
  let doc
  try {
    doc = yaml.load(text)
  } catch (err) {
    return [`${name}: not YAML (${/** @type {Error} */ (err).message.split('\n')[0]})`]
  }
  if (!doc || typeof doc !== 'object') return [`${name}: empty workflow`]
  if (!doc.permissions) problems.push(`${name}: declare top-level permissions (least privilege; jobs widen them)`)
  const jobs = doc.jobs && typeof doc.jobs === 'object' ? doc.jobs : {}
  for (const [id, job] of Object.entries(jobs)) {
    const where = `${name}: job ${id}`
    if (job?.['timeout-minutes'] === undefined) problems.push(`${where}: set timeout-minutes (a hung runner otherwise burns 6 hours)`)
    for (const [i, step] of (Array.isArray(job?.steps) ? job.steps : []).entries()) {
      const at = `${where}, step ${step?.name ?? i + 1}`
      if (typeof step?.uses === 'string' && !step.uses.startsWith('./')) {
        const ref = step.uses.split('@')[1]
        if (!ref || !/^(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/.test(ref)) problems.push(`${at}: pin ${step.uses} to a version tag or a commit SHA`)
      }
      if (typeof step?.run === 'string') {
        for (const match of step.run.matchAll(/npm run ([\w:-]+)/g)) {
          if (!pkg.scripts[match[1]]) problems.push(`${at}: npm run ${match[1]} is not a script in package.json`)
        }
        if (/\$\{\{\s*secrets\./.test(step.run)) problems.push(`${at}: pass secrets through env:, not into the script text`)
      }
    }
  }
  return problems
}

/** @param {string} dir @param {{ scripts: Record<string, string> }} pkg */
export function lintWorkflows(dir, pkg) {
  /** @type {string[]} */
  const problems = []
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : []
  if (files.length === 0) problems.push(`${dir}: no workflows`)
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8')
    const state = validateWorkflow(text)
    for (const error of state.errors) {
      const where = 'path' in error ? error.path : 'location' in error && error.location ? `line ${error.location.line}` : ''
      problems.push(`${file}: ${error.title}${where ? ` at ${where}` : ''}${error.detail ? ` — ${error.detail}` : ''}`)
    }
    problems.push(...projectRuleProblems(file, text, pkg))
  }
  return { files, problems }
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  const { files, problems } = lintWorkflows(path.join(root, '.github', 'workflows'), pkg)
  if (problems.length) {
    process.stderr.write(`workflow lint: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}\n`)
    return 1
  }
  process.stdout.write(`workflow lint: ${files.length} workflows OK (${files.join(', ')})\n`)
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) process.exitCode = main()
