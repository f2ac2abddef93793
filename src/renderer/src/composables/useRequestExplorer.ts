// The request explorer's state: filters, keyset pages (a stack of cursors for "newer"), the
// filter menus' values, a live tail (the first page re-read every few seconds, new rows marked)
// and the row open in the detail drawer.
import { onUnmounted, reactive, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import type { RequestFacets, RequestLogEntry } from '../../../shared/api'
import { errorMessage, type UiClient } from '../api/types'
import { emptyFilters, requestQuery, type RequestFilters } from '../logic/requestExplorer'

export interface RequestExplorer {
  filters: RequestFilters
  items: ShallowRef<RequestLogEntry[] | undefined>
  /** Request ids that arrived with the last live refresh (briefly highlighted). */
  fresh: ShallowRef<ReadonlySet<string>>
  facets: ShallowRef<RequestFacets | undefined>
  error: Ref<string | undefined>
  loading: Ref<boolean>
  live: Ref<boolean>
  pageSize: Ref<number>
  /** 0 = newest page. */
  pageIndex: Ref<number>
  hasOlder: Ref<boolean>
  selected: ShallowRef<RequestLogEntry | undefined>
  refresh(): Promise<void>
  older(): Promise<void>
  newer(): Promise<void>
  resetFilters(): void
}

export function useRequestExplorer(client: UiClient, opts: { intervalMs?: number; now?: () => number } = {}): RequestExplorer {
  const now = opts.now ?? Date.now
  const filters = reactive<RequestFilters>(emptyFilters())
  const items = shallowRef<RequestLogEntry[]>()
  const fresh = shallowRef<ReadonlySet<string>>(new Set())
  const facets = shallowRef<RequestFacets>()
  const error = ref<string>()
  const loading = ref(false)
  const live = ref(true)
  const pageSize = ref(100)
  const pageIndex = ref(0)
  const hasOlder = ref(false)
  const selected = shallowRef<RequestLogEntry>()
  /** cursors[i] is the cursor that loads page i (page 0: none). */
  let cursors: Array<string | undefined> = [undefined]
  let nextCursor: string | undefined
  let generation = 0

  async function load(markFresh = false): Promise<void> {
    const mine = ++generation
    loading.value = true
    try {
      const page = await client.listRequests(requestQuery(filters, { now: now(), limit: pageSize.value, cursor: cursors[pageIndex.value] }))
      if (mine !== generation) return
      // A live refresh that changed nothing leaves the table alone (no re-render every tick).
      if (markFresh && items.value && sameRows(items.value, page.items)) return
      const before = new Set((items.value ?? []).map((r) => r.requestId))
      fresh.value = markFresh && items.value ? new Set(page.items.map((r) => r.requestId).filter((id) => !before.has(id))) : new Set()
      items.value = page.items
      nextCursor = page.nextCursor
      hasOlder.value = page.nextCursor !== undefined
      // The open row follows its newer version (in flight -> done).
      const open = selected.value && page.items.find((r) => r.requestId === selected.value!.requestId)
      if (open) selected.value = open
      error.value = undefined
    } catch (err) {
      if (mine === generation) error.value = errorMessage(err)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  async function loadFacets(): Promise<void> {
    try {
      facets.value = await client.getRequestFacets()
    } catch {
      // The menus still take typed values.
    }
  }

  const firstPage = (): Promise<void> => {
    cursors = [undefined]
    pageIndex.value = 0
    return load()
  }
  watch(
    () => ({ ...filters }),
    () => void firstPage(),
  )
  watch(pageSize, () => void firstPage())

  let timer: ReturnType<typeof setInterval> | undefined
  const tick = (): void => {
    // Only the newest page moves; an older page stays put while it is read.
    if (pageIndex.value === 0 && !loading.value) void load(true)
  }
  watch(
    live,
    (on) => {
      clearInterval(timer)
      timer = on ? setInterval(tick, opts.intervalMs ?? 2000) : undefined
    },
    { immediate: true },
  )
  onUnmounted(() => clearInterval(timer))

  return {
    filters,
    items,
    fresh,
    facets,
    error,
    loading,
    live,
    pageSize,
    pageIndex,
    hasOlder,
    selected,
    async refresh() {
      await Promise.all([load(), loadFacets()])
    },
    async older() {
      if (!nextCursor) return
      cursors = [...cursors.slice(0, pageIndex.value + 1), nextCursor]
      pageIndex.value += 1
      await load()
    },
    async newer() {
      if (pageIndex.value === 0) return
      pageIndex.value -= 1
      await load()
    },
    resetFilters() {
      Object.assign(filters, { status: undefined, app: undefined, provider: undefined, model: undefined, endpoint: undefined, requestId: undefined, range: 'all' })
    },
  }
}

function sameRows(a: readonly RequestLogEntry[], b: readonly RequestLogEntry[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!
    const y = b[i]!
    if (x.requestId !== y.requestId || x.state !== y.state || x.status !== y.status || x.completionTokens !== y.completionTokens) return false
  }
  return true
}
