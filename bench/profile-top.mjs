// Summarizes a V8 .cpuprofile (node --cpu-prof): where the CPU time went, by area and by function.
//
//   node bench/profile-top.mjs FILE.cpuprofile [--top N] [--focus REGEX]
//
// Areas: the gateway's own code (out/main/cli.js), undici, node:http and friends, GC, idle, ...
// "self" is time in the function itself, "total" includes what it called. --focus lists the
// functions whose stack contains a frame matching REGEX (e.g. "onRequest|forward").
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, focus: { type: 'string' } } })
if (positionals.length === 0) {
  process.stderr.write('usage: profile-top.mjs FILE.cpuprofile [--top N] [--focus REGEX]\n')
  process.exit(2)
}
const TOP = Number(args.top)

for (const file of positionals) summarize(file)

function area(url, name) {
  if (name === '(garbage collector)') return 'GC'
  if (name === '(idle)') return 'idle'
  if (name === '(program)') return 'program (native, outside JS)'
  if (!url) return `native: ${name || '?'}`
  if (url.includes('/out/main/')) return 'switchyard (out/main)'
  if (url.includes('/bench/')) return 'bench script'
  const nm = url.lastIndexOf('node_modules/')
  if (nm !== -1) return `npm: ${url.slice(nm + 13).split('/')[0]}`
  if (url.startsWith('node:')) {
    const mod = url.slice(5).replace(/^internal\//, '')
    if (/^(_http|http)/.test(mod)) return 'node: http'
    if (/^(streams|stream)/.test(mod)) return 'node: streams'
    if (/^(net|stream_base_commons|dgram)/.test(mod)) return 'node: net'
    if (/^timers/.test(mod)) return 'node: timers'
    if (/^(events|event_target)/.test(mod)) return 'node: events'
    if (/^process\/task_queues|^async_hooks|^process\/promises/.test(mod)) return 'node: microtasks/promises'
    return `node: ${mod.split('/')[0]}`
  }
  return path.basename(url)
}

function summarize(file) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'))
  const byId = new Map()
  for (const node of prof.nodes) byId.set(node.id, node)
  const parent = new Map()
  for (const node of prof.nodes) for (const c of node.children ?? []) parent.set(c, node.id)
  const key = (n) => {
    const cf = n.callFrame
    const url = cf.url ? cf.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|out|bench)\//, '$1/') : ''
    return `${cf.functionName || '(anonymous)'}  ${url}${url ? `:${cf.lineNumber + 1}` : ''}`
  }
  const self = new Map()
  const total = new Map()
  const areas = new Map()
  const focus = args.focus ? new RegExp(args.focus) : undefined
  const focused = new Map()
  let all = 0
  let idle = 0
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i] ?? 0) / 1000 // ms
    const leaf = byId.get(prof.samples[i])
    if (!leaf) continue
    all += dt
    if (leaf.callFrame.functionName === '(idle)') idle += dt
    const k = key(leaf)
    self.set(k, (self.get(k) ?? 0) + dt)
    const a = area(leaf.callFrame.url, leaf.callFrame.functionName)
    areas.set(a, (areas.get(a) ?? 0) + dt)
    const seen = new Set()
    let inFocus = false
    for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)
      const kk = key(n)
      if (focus && focus.test(kk)) inFocus = true
      if (seen.has(kk)) continue
      seen.add(kk)
      total.set(kk, (total.get(kk) ?? 0) + dt)
    }
    if (inFocus) focused.set(k, (focused.get(k) ?? 0) + dt)
  }
  const busy = all - idle
  const pctOf = (ms) => `${((ms / busy) * 100).toFixed(1).padStart(5)} %`
  const line = (ms, label) => `  ${ms.toFixed(0).padStart(7)} ms ${pctOf(ms)}  ${label}`
  console.log(`\n# ${path.basename(file)}: ${(all / 1000).toFixed(2)} s sampled, ${(busy / 1000).toFixed(2)} s busy (percentages are of busy time)`)
  console.log('\n## by area (self time)')
  for (const [a, ms] of [...areas].filter(([a]) => a !== 'idle').sort((x, y) => y[1] - x[1]).slice(0, 20)) console.log(line(ms, a))
  console.log(`\n## top ${TOP} functions by self time`)
  for (const [k, ms] of [...self].filter(([k]) => !k.startsWith('(idle)')).sort((x, y) => y[1] - x[1]).slice(0, TOP)) console.log(line(ms, k))
  console.log(`\n## top ${TOP} functions by total time (switchyard code and undici entry points)`)
  for (const [k, ms] of [...total].filter(([k]) => /out\/main|node_modules\/undici|_http_server|_http_outgoing/.test(k)).sort((x, y) => y[1] - x[1]).slice(0, TOP)) console.log(line(ms, k))
  if (focus) {
    console.log(`\n## self time under frames matching /${args.focus}/`)
    for (const [k, ms] of [...focused].sort((x, y) => y[1] - x[1]).slice(0, TOP)) console.log(line(ms, k))
  }
}
