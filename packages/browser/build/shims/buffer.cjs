'use strict'
// Browser build shim for the `buffer` package: the part of Node's Buffer API that mqtt-packet, the BufferList
// shim and the core use, on top of Uint8Array, TextEncoder and TextDecoder. It keeps the bundle small (the full
// `buffer` package with base64-js and ieee754 is ~9 KB gzip). Semantics follow Node: slice() is a view,
// from(buffer) copies, strings are UTF-8, toString() does not strip a BOM (MQTT-1.5.4-3). Unsupported encodings
// throw instead of producing wrong bytes; reads and writes out of range throw a RangeError. CommonJS, as the
// modules that require it: no ESM interop helpers in the bundle. Tested against Node's Buffer in
// test/build-shims.test.ts.
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

function utf8Only (encoding) {
  if (encoding !== undefined && encoding !== 'utf8' && encoding !== 'utf-8') {
    throw new TypeError(`Buffer shim: unsupported encoding ${encoding}`)
  }
}

const view = (b) => new DataView(b.buffer, b.byteOffset, b.length)

class Buffer extends Uint8Array {
  static from (value, encodingOrOffset, length) {
    if (typeof value === 'string') {
      utf8Only(encodingOrOffset)
      value = encoder.encode(value)
      return new Buffer(value.buffer, value.byteOffset, value.length)
    }
    // A view is copied (a DataView too); an ArrayBuffer or SharedArrayBuffer is wrapped; an array is copied.
    if (ArrayBuffer.isView(value)) value = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    else if (typeof value?.byteLength === 'number') return new Buffer(value, encodingOrOffset, length)
    else if (typeof value?.length !== 'number') {
      throw new TypeError('Buffer shim: Buffer.from needs a string, bytes or an array')
    }
    return new Buffer(value)
  }

  static alloc (size) {
    return new Buffer(size)
  }

  static isBuffer (value) {
    return value instanceof Buffer
  }

  static byteLength (value, encoding) {
    if (typeof value !== 'string') return value.byteLength
    utf8Only(encoding)
    return encoder.encode(value).length
  }

  static concat (list, total = list.reduce((n, b) => n + b.length, 0)) {
    const out = new Buffer(total)
    let at = 0
    for (const b of list) {
      if (at >= total) break
      out.set(b.subarray(0, total - at), at)
      at += b.length
    }
    return out
  }

  // Node's slice is a view (Uint8Array's copies).
  slice (start, end) {
    return this.subarray(start, end)
  }

  toString (encoding, start = 0, end = this.length) {
    utf8Only(encoding)
    return decoder.decode(this.subarray(Math.max(0, start), end))
  }

  write (string, offset = 0) {
    return encoder.encodeInto(string, this.subarray(offset)).written
  }

  copy (target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
    const part = this.subarray(sourceStart, Math.min(sourceEnd, sourceStart + target.length - targetStart))
    if (part.length > 0) target.set(part, targetStart)
    return part.length
  }

  readUInt8 (offset = 0) {
    return view(this).getUint8(offset)
  }

  readUInt16BE (offset = 0) {
    return view(this).getUint16(offset)
  }

  readUInt32BE (offset = 0) {
    return view(this).getUint32(offset)
  }

  writeUInt8 (value, offset = 0) {
    view(this).setUint8(offset, value)
    return offset + 1
  }

  writeUInt32BE (value, offset = 0) {
    view(this).setUint32(offset, value)
    return offset + 4
  }
}
Buffer.allocUnsafe = Buffer.alloc

exports.Buffer = Buffer
