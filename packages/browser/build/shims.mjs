// mqtt-packet is CommonJS written for Node. The browser builds replace its Node-only dependencies (and the core's
// `buffer`) with these small modules, without forking it:
//   bl                   → shims/buffer-list.cjs: the chunk list the parser uses, without readable-stream
//   debug                → a no-op (tracing only; the calls are dropped as pure)
//   process-nextick-args → queueMicrotask
//   events               → a minimal EventEmitter
//   buffer               → shims/buffer.cjs: the part of Buffer used, on Uint8Array + TextEncoder/TextDecoder
// (The `buffer` package and bl's own BufferList work too, but cost ~9 KB gzip of the 30 KB budget.)
import { fileURLToPath } from 'node:url'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))

/** Module name → the shim file that replaces it. */
export const SHIMS = {
  bl: here('./shims/buffer-list.cjs'),
  buffer: here('./shims/buffer.cjs'),
  debug: here('./shims/debug.cjs'),
  'process-nextick-args': here('./shims/process-nextick-args.cjs'),
  events: here('./shims/events.cjs'),
}
