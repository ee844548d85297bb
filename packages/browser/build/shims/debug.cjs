'use strict'
// Browser build shim for `debug`: mqtt-packet calls require('debug')(namespace)(...) for tracing only.
// A no-op keeps the `debug` package (and `ms`) out of the bundle.
module.exports = () => () => {}
