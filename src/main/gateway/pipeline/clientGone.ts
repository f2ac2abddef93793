import { GatewayError } from '../common/errors'
import type { RequestContext } from './context'

/** An AbortSignal for "the client left", made only when something must wait (most requests never do). */
export class ClientGone {
  private controller?: AbortController
  constructor(private readonly res: RequestContext['res']) {}

  get aborted(): boolean {
    return this.res.destroyed && !this.res.writableFinished
  }

  signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController()
      if (this.aborted) this.onClose()
      else this.res.on('close', this.onClose)
    }
    return this.controller.signal
  }

  dispose(): void {
    if (this.controller) this.res.off('close', this.onClose)
  }

  private readonly onClose = (): void => {
    if (!this.res.writableFinished) this.controller?.abort(new GatewayError('upstream_error', 'client closed the connection', { status: 499 }))
  }
}

/** Waits `ms`, or less when the client leaves meanwhile. */
export function sleepUnlessGone(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
