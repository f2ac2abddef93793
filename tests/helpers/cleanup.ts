// Undoing what a test started (servers, gateways, clients, schedulers), last first, after each test.
import { afterEach } from 'vitest'

const cleanup: Array<() => Promise<void>> = []

/** Registers the afterEach that runs every onCleanup callback, most recent first. Call once per file. */
export function useCleanup(): void {
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!()
  })
}

export function onCleanup(fn: () => Promise<void>): void {
  cleanup.push(fn)
}
