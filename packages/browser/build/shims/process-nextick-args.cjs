'use strict'
// Browser build shim for `process-nextick-args` (used by mqtt-packet's writeToStream only for streams
// with cork(), which the browser path never passes). A microtask keeps the ordering guarantee.
function nextTick (fn) {
  var args = Array.prototype.slice.call(arguments, 1)
  queueMicrotask(function () { fn.apply(null, args) })
}
module.exports = { nextTick: nextTick }
