#!/usr/bin/env node
// Lint: the gateway core's folders form no import cycle. Each folder under src/main/gateway is a
// layer (common, dialects, providers, runtime, routing, health, admission, forward, usage, store,
// pipeline, server, api, ...); a folder may import another only if that one never imports it
// back, directly or through others. Prints each cycle with the imports that close it.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/main/gateway'))
const files = []
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p)
    else if (p.endsWith('.ts')) files.push(p)
  }
}
walk(root)

const folderOf = (file) => {
  const parts = path.relative(root, file).split(path.sep)
  return parts.length > 1 ? parts[0] : '(root)'
}
/** folder -> folder -> example import lines */
const edges = new Map()
for (const file of files) {
  const src = fs.readFileSync(file, 'utf8')
  for (const m of src.matchAll(/^(?:import|export)[^'"]*from\s+'(\.[^']+)'/gm)) {
    const target = path.resolve(path.dirname(file), m[1])
    if (!target.startsWith(root)) continue
    const a = folderOf(file)
    const b = folderOf(`${target}.ts`)
    if (a === b || a === '(root)') continue // the composition root and index.ts may import every layer
    if (!edges.has(a)) edges.set(a, new Map())
    const to = edges.get(a)
    if (!to.has(b)) to.set(b, [])
    to.get(b).push(`${path.relative(root, file)} -> ${m[1]}`)
  }
}

// Strongly connected components (Tarjan): any component with more than one folder is a cycle.
let index = 0
const stack = []
const meta = new Map()
const cycles = []
function strongConnect(v) {
  meta.set(v, { index, low: index, onStack: true })
  index++
  stack.push(v)
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!meta.has(w)) {
      strongConnect(w)
      meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low)
    } else if (meta.get(w).onStack) meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index)
  }
  if (meta.get(v).low === meta.get(v).index) {
    const component = []
    let w
    do {
      w = stack.pop()
      meta.get(w).onStack = false
      component.push(w)
    } while (w !== v)
    if (component.length > 1) cycles.push(component)
  }
}
for (const v of edges.keys()) if (!meta.has(v)) strongConnect(v)

if (cycles.length === 0) {
  console.log(`layering: ${edges.size} folders of src/main/gateway, no import cycle`)
  process.exit(0)
}
for (const component of cycles) {
  console.error(`layering: import cycle among ${component.sort().join(', ')}`)
  for (const a of component) for (const [b, lines] of edges.get(a) ?? []) if (component.includes(b)) console.error(`  ${a} -> ${b}: ${lines.slice(0, 3).join('; ')}`)
}
process.exit(1)
