import type { Dialect } from '../../dialects/codec'
import type { RequestContext } from '../../pipeline/context'

/** One path a dialect's ingress serves, as the listener needs to know it. */
export interface IngressRoute {
  /** Model traffic: refused while the gateway is paused or stopping. */
  model: boolean
  /** The dialect the listener answers in if this route fails before its handler answers. */
  wire: Dialect
  run(): void | Promise<void>
}

/** A dialect's ingress: the route for a request, or undefined when the path is not its. */
export type IngressMatcher = (ctx: RequestContext) => IngressRoute | undefined
