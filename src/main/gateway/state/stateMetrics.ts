// /metrics for team mode, read from the store at scrape time:
//   switchyard_state_backend_up{backend}  1 while shared state is usable (embedded: always 1)
//   switchyard_state_instances            live instances sharing it (embedded: 1)
import { Gauge, type Registry } from 'prom-client'
import type { StateStore } from './stateStore'

export function registerStateMetrics(registry: Registry, state: StateStore): void {
  new Gauge({
    name: 'switchyard_state_backend_up',
    help: 'Shared state is usable (1) or this instance decides limits alone (0); embedded is always 1.',
    labelNames: ['backend'],
    registers: [registry],
    collect() {
      this.reset()
      this.set({ backend: state.backend }, state.status().up ? 1 : 0)
    },
  })
  new Gauge({
    name: 'switchyard_state_instances',
    help: 'Live instances sharing state (last known; 1 when embedded).',
    registers: [registry],
    collect() {
      this.set(state.status().instances.length)
    },
  })
}
