// "Connect a tool": the tools with their state, connect (writes the tool's config) and restore.
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { ToolConnectResult, ToolId, ToolView } from '../../../shared/api'
import { errorMessage, type UiClient } from '../api/types'

export interface ToolsModel {
  items: ShallowRef<ToolView[] | undefined>
  error: Ref<string | undefined>
  /** The tool whose connect or restore is under way. */
  busy: Ref<ToolId | undefined>
  /** Manual tools: the key just issued, shown with the steps until the screen is left. */
  issued: Ref<{ id: ToolId; key: string } | undefined>
  load(): Promise<void>
  connect(id: ToolId, model?: string): Promise<{ result?: ToolConnectResult; error?: string }>
  restore(id: ToolId): Promise<string | undefined>
}

export function useTools(client: UiClient): ToolsModel {
  const items = shallowRef<ToolView[]>()
  const error = ref<string>()
  const busy = ref<ToolId>()
  const issued = ref<{ id: ToolId; key: string }>()
  const replace = (tool: ToolView): void => {
    items.value = (items.value ?? []).map((t) => (t.id === tool.id ? tool : t))
  }
  async function load(): Promise<void> {
    try {
      items.value = (await client.listTools()).items
      error.value = undefined
    } catch (err) {
      error.value = errorMessage(err)
    }
  }
  return {
    items,
    error,
    busy,
    issued,
    load,
    async connect(id, model) {
      busy.value = id
      try {
        const result = await client.connectTool(model ? { id, model } : { id })
        replace(result.tool)
        if (result.key) issued.value = { id, key: result.key }
        return { result }
      } catch (err) {
        return { error: errorMessage(err) }
      } finally {
        busy.value = undefined
      }
    },
    async restore(id) {
      busy.value = id
      try {
        replace(await client.restoreTool({ id }))
        if (issued.value?.id === id) issued.value = undefined
        return undefined
      } catch (err) {
        return errorMessage(err)
      } finally {
        busy.value = undefined
      }
    },
  }
}
