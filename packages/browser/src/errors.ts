/**
 * Errors specific to the WebSocket transport. Both extend a core class, so code that checks
 * `instanceof ConnectionClosedError` / `ConnectTimeoutError` keeps working.
 */
import { ConnectTimeoutError, ConnectionClosedError } from '@webmqtt/core'
import type { MqttErrorOptions } from '@webmqtt/core'

/**
 * The WebSocket failed before it opened: connection refused, DNS or TLS failure, an HTTP status other
 * than 101, or a subprotocol the server did not accept. A browser does not say which (by design); Node's
 * `ws` package does, and its error is the `cause`.
 */
export class WebSocketRefusedError extends ConnectionClosedError {
  override name = 'WebSocketRefusedError'
  /** The URL that was tried, without its query string and fragment (they may hold a token). */
  readonly url: string
  constructor(message: string, url: string, options: MqttErrorOptions = {}) {
    super(message, options)
    this.url = url
  }
}

/** The WebSocket did not open within `openTimeoutMs`. */
export class WebSocketTimeoutError extends ConnectTimeoutError {
  override name = 'WebSocketTimeoutError'
  /** The URL that was tried, without its query string and fragment. */
  readonly url: string
  constructor(message: string, url: string, options: MqttErrorOptions = {}) {
    super(message, options)
    this.url = url
  }
}
