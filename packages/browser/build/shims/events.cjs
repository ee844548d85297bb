'use strict'
// Browser build shim for Node's `events`: the part of EventEmitter that mqtt-packet uses
// (its Parser and generate's Accumulator extend it; the core listens with on()).
function EventEmitter () {
  this._events = Object.create(null)
}
EventEmitter.prototype._list = function (name) {
  if (!this._events) this._events = Object.create(null)
  return this._events[name] || (this._events[name] = [])
}
EventEmitter.prototype.on = EventEmitter.prototype.addListener = function (name, fn) {
  this._list(name).push(fn)
  return this
}
EventEmitter.prototype.once = function (name, fn) {
  var self = this
  function once () {
    self.removeListener(name, once)
    fn.apply(self, arguments)
  }
  once.listener = fn
  return this.on(name, once)
}
EventEmitter.prototype.off = EventEmitter.prototype.removeListener = function (name, fn) {
  var list = this._list(name)
  for (var i = list.length - 1; i >= 0; i--) {
    if (list[i] === fn || list[i].listener === fn) { list.splice(i, 1); break }
  }
  return this
}
EventEmitter.prototype.removeAllListeners = function (name) {
  if (name === undefined) this._events = Object.create(null)
  else if (this._events) delete this._events[name]
  return this
}
EventEmitter.prototype.emit = function (name) {
  var list = this._list(name).slice()
  if (list.length === 0) {
    if (name === 'error') throw arguments[1] instanceof Error ? arguments[1] : new Error('Unhandled error: ' + arguments[1])
    return false
  }
  var args = Array.prototype.slice.call(arguments, 1)
  for (var i = 0; i < list.length; i++) list[i].apply(this, args)
  return true
}
EventEmitter.prototype.listenerCount = function (name) { return this._list(name).length }
EventEmitter.prototype.listeners = function (name) { return this._list(name).slice() }
EventEmitter.prototype.setMaxListeners = function () { return this }
EventEmitter.EventEmitter = EventEmitter
EventEmitter.default = EventEmitter
module.exports = EventEmitter
