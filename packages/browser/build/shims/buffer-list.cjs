// Browser build shim for `bl`: mqtt-packet's parser uses `bl()` only as a list of received chunks
// (append, length, consume, slice, toString, readUInt8/16BE/32BE). This is that list, without bl's
// readable-stream side (and without the parts of bl's BufferList the parser never calls).
// Tested against mqtt-packet with the real `bl` in test/build-shims.test.ts.
'use strict'
const { Buffer } = require('buffer')

function BufferList(buf) {
  if (!(this instanceof BufferList)) return new BufferList(buf)
  this._bufs = []
  this.length = 0
  if (buf) this.append(buf)
}

BufferList.prototype.append = function (buf) {
  if (buf == null) return this
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  if (b.length > 0) {
    this._bufs.push(b)
    this.length += b.length
  }
  return this
}

BufferList.prototype.consume = function (bytes) {
  bytes = Math.trunc(bytes)
  if (Number.isNaN(bytes) || bytes <= 0) return this
  while (this._bufs.length > 0) {
    const first = this._bufs[0]
    if (bytes >= first.length) {
      bytes -= first.length
      this.length -= first.length
      this._bufs.shift()
    } else {
      this._bufs[0] = first.subarray(bytes)
      this.length -= bytes
      break
    }
  }
  return this
}

// A view when the range lies in one chunk, else a copy (as bl does).
BufferList.prototype.slice = function (start, end) {
  const s = start === undefined ? 0 : Math.max(0, start)
  const e = end === undefined ? this.length : Math.min(this.length, end)
  if (e <= s) return Buffer.alloc(0)
  let skip = s
  let i = 0
  while (i < this._bufs.length && skip >= this._bufs[i].length) skip -= this._bufs[i++].length
  const first = this._bufs[i]
  if (skip + (e - s) <= first.length) return first.subarray(skip, skip + (e - s))
  const out = Buffer.allocUnsafe(e - s)
  let at = 0
  for (; at < out.length; i++) {
    const part = this._bufs[i].subarray(skip, skip + (out.length - at))
    out.set(part, at)
    at += part.length
    skip = 0
  }
  return out
}

BufferList.prototype.toString = function (encoding, start, end) {
  return this.slice(start, end).toString(encoding)
}

BufferList.prototype.get = function (index) {
  if (!(index >= 0 && index < this.length)) return undefined
  for (let i = 0; ; i++) {
    const b = this._bufs[i]
    if (index < b.length) return b[index]
    index -= b.length
  }
}

BufferList.prototype.readUInt8 = function (offset) {
  if (!Number.isInteger(offset) || offset < 0 || offset >= this.length) {
    throw new RangeError(`offset ${offset} is out of range for a list of ${this.length} bytes`)
  }
  return this.get(offset)
}

BufferList.prototype.readUInt16BE = function (offset) {
  return this.slice(offset, offset + 2).readUInt16BE(0)
}

BufferList.prototype.readUInt32BE = function (offset) {
  return this.slice(offset, offset + 4).readUInt32BE(0)
}

module.exports = BufferList
