'use strict'
// Browser build shim for `process-nextick-args` (used by mqtt-packet's writeToStream only for streams
// with cork(), which the browser path never passes). A microtask keeps the ordering guarantee.
exports.nextTick = (fn, ...args) => queueMicrotask(() => fn(...args))
