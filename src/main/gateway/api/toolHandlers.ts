// "Connect a tool": list the coding tools with their state, connect one, restore its file.
import type { ApiHandlers } from '../../../shared/api'
import { ToolConfigError, ToolConnectError, type ToolConnector } from '../toolConnect/connector'
import { ApiFailure } from './apiFailure'

type ToolHandlers = Pick<ApiHandlers, 'listTools' | 'connectTool' | 'restoreTool'>

export function createToolHandlers(deps: { tools: ToolConnector }): ToolHandlers {
  return {
    async listTools() {
      return { items: deps.tools.list() }
    },
    async connectTool({ id, model }) {
      return toolErrors(() => deps.tools.connect(id, model))
    },
    async restoreTool({ id }) {
      return toolErrors(() => deps.tools.restore(id))
    },
  }
}

function toolErrors<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    if (err instanceof ToolConfigError) throw new ApiFailure('invalid_argument', err.message)
    if (err instanceof ToolConnectError) throw new ApiFailure(err.code, err.message)
    const code = (err as NodeJS.ErrnoException)?.code
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR') {
      throw new ApiFailure('invalid_argument', `cannot write the tool's config: ${(err as Error).message}`)
    }
    throw err
  }
}
