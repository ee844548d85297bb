'use strict'
// Browser build shim for `debug`: mqtt-packet calls require('debug')(namespace)(...) for tracing only.
// A no-op keeps the `debug` package (and `ms`) out of the bundle.
function noop () {}
function createDebug () {
  noop.enabled = false
  return noop
}
createDebug.enable = noop
createDebug.disable = () => ''
createDebug.enabled = () => false
module.exports = createDebug
module.exports.default = createDebug
