'use strict'
// Browser build shim for `bl`: mqtt-packet's parser uses `bl()` only as a list of received chunks
// (append, length, consume, slice, toString, readUInt8/16BE/32BE). This is that list, without bl's
// readable-stream side (and without the parts of bl's BufferList the parser never calls).
// Tested against mqtt-packet with the real `bl` in test/build-shims.test.ts.
const { Buffer } = require('buffer')

function BufferList () {
  if (!(this instanceof BufferList)) return new BufferList()
  this._bufs = []
  this.length = 0
}

const proto = BufferList.prototype

proto.append = function (buf) {
  if (buf.length > 0) {
    this._bufs.push(Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength))
    this.length += buf.length
  }
  return this
}

proto.consume = function (bytes) {
  while (bytes > 0 && this._bufs.length > 0) {
    const first = this._bufs[0]
    if (bytes >= first.length) {
      bytes -= first.length
      this.length -= first.length
      this._bufs.shift()
    } else {
      this._bufs[0] = first.subarray(bytes)
      this.length -= bytes
      bytes = 0
    }
  }
  return this
}

// A view when the range lies in one chunk, else a copy (as bl does).
proto.slice = function (start = 0, end = this.length) {
  let skip = Math.max(0, start)
  const n = Math.min(this.length, end) - skip
  let out
  let at = 0
  for (const b of this._bufs) {
    if (skip >= b.length) {
      skip -= b.length
      continue
    }
    const part = b.subarray(skip, skip + n - at)
    if (!out) {
      if (part.length >= n) return part
      out = Buffer.allocUnsafe(n)
    }
    out.set(part, at)
    at += part.length
    skip = 0
    if (at >= n) break
  }
  return out || Buffer.alloc(0)
}

proto.toString = function (encoding, start, end) {
  return this.slice(start, end).toString(encoding)
}

proto.readUInt8 = function (offset) {
  if (!(offset >= 0 && offset < this.length)) throw new RangeError(`offset ${offset} is out of range for ${this.length} bytes`)
  for (const b of this._bufs) {
    if (offset < b.length) return b[offset]
    offset -= b.length
  }
}

proto.readUInt16BE = function (offset) {
  return this.slice(offset, offset + 2).readUInt16BE(0)
}

proto.readUInt32BE = function (offset) {
  return this.slice(offset, offset + 4).readUInt32BE(0)
}

module.exports = BufferList
