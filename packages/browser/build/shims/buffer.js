// Browser build shim for the `buffer` package: the part of Node's Buffer API that mqtt-packet, bl's
// BufferList replacement and the core use, on top of Uint8Array, TextEncoder and TextDecoder. It keeps the
// bundle small (the full `buffer` package with base64-js and ieee754 is ~9 KB gzip). Semantics follow Node:
// slice() is a view, from(buffer) copies, strings are UTF-8, toString() does not strip a BOM (MQTT-1.5.4-3).
// Unsupported encodings throw instead of producing wrong bytes. Tested against Node's Buffer in
// test/build-shims.test.ts.

const encoder = new TextEncoder()
let decoder

function utf8Only(encoding) {
  if (encoding !== undefined && encoding !== 'utf8' && encoding !== 'utf-8') {
    throw new TypeError(`webmqtt Buffer shim: unsupported encoding ${encoding}`)
  }
}

function byteLengthOf(string) {
  let n = 0
  for (let i = 0; i < string.length; i++) {
    const c = string.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < string.length && (string.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

function checkOffset(buf, offset, size) {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > buf.length) {
    throw new RangeError(`offset ${offset} is out of range for a buffer of ${buf.length} bytes`)
  }
}

export class Buffer extends Uint8Array {
  static from(value, encodingOrOffset, length) {
    if (typeof value === 'string') {
      utf8Only(encodingOrOffset)
      const bytes = encoder.encode(value)
      return new Buffer(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    }
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
      const offset = encodingOrOffset === undefined ? 0 : encodingOrOffset >>> 0
      return new Buffer(value, offset, length === undefined ? value.byteLength - offset : length >>> 0)
    }
    if (ArrayBuffer.isView(value)) {
      const out = new Buffer(value.byteLength)
      out.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
      return out
    }
    if (value != null && typeof value === 'object' && typeof value.length === 'number') {
      const out = new Buffer(value.length)
      for (let i = 0; i < value.length; i++) out[i] = value[i] & 255
      return out
    }
    throw new TypeError('webmqtt Buffer shim: Buffer.from needs a string, ArrayBuffer, typed array or array')
  }

  static alloc(size) {
    return new Buffer(size)
  }

  static allocUnsafe(size) {
    return new Buffer(size)
  }

  static isBuffer(value) {
    return value instanceof Buffer
  }

  static byteLength(value, encoding) {
    if (typeof value === 'string') {
      utf8Only(encoding)
      return byteLengthOf(value)
    }
    return value.byteLength
  }

  static concat(list, totalLength) {
    const total = totalLength === undefined ? list.reduce((n, b) => n + b.length, 0) : totalLength
    const out = new Buffer(total)
    let at = 0
    for (const b of list) {
      if (at >= total) break
      const part = b.length > total - at ? b.subarray(0, total - at) : b
      out.set(part, at)
      at += part.length
    }
    return out
  }

  // Node's slice is a view (Uint8Array's copies).
  slice(start, end) {
    return this.subarray(start, end)
  }

  toString(encoding, start, end) {
    const s = start === undefined ? 0 : Math.max(0, start | 0)
    const e = end === undefined ? this.length : Math.min(this.length, end | 0)
    if (e <= s) return ''
    utf8Only(encoding)
    decoder ??= new TextDecoder('utf-8', { ignoreBOM: true })
    return decoder.decode(this.subarray(s, e))
  }

  equals(other) {
    if (this.length !== other.length) return false
    for (let i = 0; i < this.length; i++) if (this[i] !== other[i]) return false
    return true
  }

  write(string, offset, length, encoding) {
    if (typeof offset === 'string') {
      encoding = offset
      offset = 0
      length = undefined
    } else if (typeof length === 'string') {
      encoding = length
      length = undefined
    }
    utf8Only(encoding)
    const at = offset === undefined ? 0 : offset >>> 0
    const room = length === undefined ? this.length - at : Math.min(length >>> 0, this.length - at)
    return encoder.encodeInto(string, this.subarray(at, at + room)).written
  }

  copy(target, targetStart, sourceStart, sourceEnd) {
    const ts = targetStart === undefined ? 0 : targetStart >>> 0
    const ss = sourceStart === undefined ? 0 : sourceStart >>> 0
    const se = sourceEnd === undefined ? this.length : Math.min(this.length, sourceEnd >>> 0)
    const n = Math.max(0, Math.min(se - ss, target.length - ts))
    if (n > 0) target.set(this.subarray(ss, ss + n), ts)
    return n
  }

  readUInt8(offset = 0) {
    checkOffset(this, offset, 1)
    return this[offset]
  }

  readUInt16BE(offset = 0) {
    checkOffset(this, offset, 2)
    return (this[offset] << 8) | this[offset + 1]
  }

  readUInt32BE(offset = 0) {
    checkOffset(this, offset, 4)
    return this[offset] * 0x1000000 + ((this[offset + 1] << 16) | (this[offset + 2] << 8) | this[offset + 3])
  }

  writeUInt8(value, offset = 0) {
    checkOffset(this, offset, 1)
    this[offset] = value
    return offset + 1
  }

  writeUInt16BE(value, offset = 0) {
    checkOffset(this, offset, 2)
    this[offset] = value >>> 8
    this[offset + 1] = value
    return offset + 2
  }

  writeUInt32BE(value, offset = 0) {
    checkOffset(this, offset, 4)
    this[offset] = value >>> 24
    this[offset + 1] = value >>> 16
    this[offset + 2] = value >>> 8
    this[offset + 3] = value
    return offset + 4
  }
}
