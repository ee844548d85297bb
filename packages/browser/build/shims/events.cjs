'use strict'
// Browser build shim for Node's `events`: the part of EventEmitter that mqtt-packet's Parser and generate's
// Accumulator use (on, emit; an 'error' with no listener throws, as in Node). The core listens with on().
function EventEmitter () {}
EventEmitter.prototype.on = function (name, fn) {
  const events = this._events || (this._events = Object.create(null))
  ;(events[name] || (events[name] = [])).push(fn)
  return this
}
EventEmitter.prototype.emit = function (name, ...args) {
  const list = this._events && this._events[name]
  if (!list || list.length === 0) {
    if (name === 'error') throw args[0]
    return false
  }
  for (const fn of list.slice()) fn.apply(this, args)
  return true
}
EventEmitter.EventEmitter = EventEmitter
module.exports = EventEmitter
