/**
 * One error class per failure. Each has a `name`, an optional `cause`, the paho result code (`rc`)
 * and, where the broker gave one, the MQTT `reasonCode`. Argument errors are TypeErrors (they are the
 * caller's bug); everything else is an MqttError.
 */
import {
  MQTT_ERR_AGAIN, MQTT_ERR_CONN_LOST, MQTT_ERR_CONN_REFUSED, MQTT_ERR_INVAL, MQTT_ERR_KEEPALIVE, MQTT_ERR_NO_CONN,
  MQTT_ERR_NOT_SUPPORTED, MQTT_ERR_PAYLOAD_SIZE, MQTT_ERR_PROTOCOL, MQTT_ERR_QUEUE_SIZE, MQTT_ERR_UNKNOWN,
  ReasonCode,
} from './codes.js'
import type { MqttErrorCode } from './codes.js'

export interface MqttErrorOptions {
  cause?: unknown
  reasonCode?: ReasonCode | undefined
}

/** Base class of all runtime failures. */
export class MqttError extends Error {
  override name = 'MqttError'
  /** paho result code (`MQTT_ERR_*`). */
  readonly rc: MqttErrorCode
  /** MQTT reason code from the broker (or the one we sent), when there is one. */
  readonly reasonCode: ReasonCode | undefined

  constructor(message: string, rc: MqttErrorCode = MQTT_ERR_UNKNOWN, options: MqttErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined)
    this.rc = rc
    this.reasonCode = options.reasonCode
  }
}

/** Base class of argument errors: thrown synchronously, nothing was sent. */
export class InvalidArgumentError extends TypeError {
  override name = 'InvalidArgumentError'
  readonly rc: MqttErrorCode = MQTT_ERR_INVAL
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined)
  }
}
/** A publish topic that is empty, has wildcards, NUL, lone surrogates or is longer than 65,535 bytes. */
export class InvalidTopicError extends InvalidArgumentError { override name = 'InvalidTopicError' }
/** A subscription filter that is malformed (`foo+`, `a/#/b`, empty, …). */
export class InvalidFilterError extends InvalidArgumentError { override name = 'InvalidFilterError' }
/** QoS outside 0–2. */
export class InvalidQosError extends InvalidArgumentError { override name = 'InvalidQosError' }
/** A payload of an unsupported type, or larger than 268,435,455 bytes. */
export class InvalidPayloadError extends InvalidArgumentError {
  override name = 'InvalidPayloadError'
  override readonly rc: MqttErrorCode = MQTT_ERR_PAYLOAD_SIZE
}
/** An MQTT 5 property with a bad name, type or value. */
export class InvalidPropertyError extends InvalidArgumentError { override name = 'InvalidPropertyError' }

/** A call that is not allowed in the current state (e.g. an option setter while connected). */
export class InvalidStateError extends MqttError {
  override name = 'InvalidStateError'
  constructor(message: string, options: MqttErrorOptions = {}) { super(message, MQTT_ERR_INVAL, options) }
}
/** The packet would exceed the broker's Maximum Packet Size (or the protocol limit). */
export class PacketTooLargeError extends MqttError {
  override name = 'PacketTooLargeError'
  constructor(message: string, options: MqttErrorOptions = {}) {
    super(message, MQTT_ERR_PAYLOAD_SIZE, { reasonCode: new ReasonCode('DISCONNECT', 149), ...options })
  }
}
/** The broker answered CONNACK with a failure. */
export class ConnectionRefusedError extends MqttError {
  override name = 'ConnectionRefusedError'
  constructor(message: string, options: MqttErrorOptions = {}) { super(message, MQTT_ERR_CONN_REFUSED, options) }
}
/** The transport could not open, or closed (before CONNACK, or later). */
export class ConnectionClosedError extends MqttError {
  override name = 'ConnectionClosedError'
  constructor(message: string, options: MqttErrorOptions = {}) { super(message, MQTT_ERR_CONN_LOST, options) }
}
/** No CONNACK within the connect timeout. */
export class ConnectTimeoutError extends MqttError {
  override name = 'ConnectTimeoutError'
  constructor(message: string, options: MqttErrorOptions = {}) { super(message, MQTT_ERR_CONN_LOST, options) }
}
/** Nothing received for 1.5 × keepalive. */
export class KeepaliveTimeoutError extends MqttError {
  override name = 'KeepaliveTimeoutError'
  constructor(message: string, options: MqttErrorOptions = {}) {
    super(message, MQTT_ERR_KEEPALIVE, { reasonCode: new ReasonCode('DISCONNECT', 141), ...options })
  }
}
/** The broker sent bytes that do not parse, or a packet illegal in the current state. */
export class ProtocolError extends MqttError {
  override name = 'ProtocolError'
  constructor(message: string, options: MqttErrorOptions = {}) {
    super(message, MQTT_ERR_PROTOCOL, { reasonCode: new ReasonCode('DISCONNECT', 130), ...options })
  }
}
/** The broker sent DISCONNECT (MQTT 5) with a reason. */
export class ServerDisconnectError extends MqttError {
  override name = 'ServerDisconnectError'
  constructor(message: string, options: MqttErrorOptions = {}) { super(message, MQTT_ERR_CONN_LOST, options) }
}
/** The offline queue is full (`maxQueuedMessagesSet`). */
export class QueueFullError extends MqttError {
  override name = 'QueueFullError'
  constructor(message: string, options: MqttErrorOptions = {}) { super(message, MQTT_ERR_QUEUE_SIZE, options) }
}
/** The operation needs a connection. */
export class NotConnectedError extends MqttError {
  override name = 'NotConnectedError'
  constructor(message: string, options: MqttErrorOptions = {}) { super(message, MQTT_ERR_NO_CONN, options) }
}
/** The broker answered PUBACK/PUBREC/PUBCOMP with a failure reason code. */
export class PublishFailedError extends MqttError {
  override name = 'PublishFailedError'
  constructor(message: string, options: MqttErrorOptions = {}) { super(message, MQTT_ERR_UNKNOWN, options) }
}
/** A wait (e.g. `waitForPublish(timeoutMs)`) ran out of time. The operation itself goes on. */
export class TimeoutError extends MqttError {
  override name = 'TimeoutError'
  constructor(message: string, options: MqttErrorOptions = {}) { super(message, MQTT_ERR_AGAIN, options) }
}
/** Which kind of storage failure a StorageError describes. */
export type StorageFailure =
  /** No IndexedDB in this runtime (Node, SSR, a worker without it). */
  | 'unavailable'
  /** IndexedDB exists but may not be used here (opaque origin, disabled site data, private mode): open() refused. */
  | 'denied'
  /** The quota for this origin is exhausted. */
  | 'quota'
  /** Another connection with an older version did not close, so the database could not open. */
  | 'blocked'
  /** Another tab upgraded or deleted the database; this connection was closed. */
  | 'versionchange'
  /** The browser closed the connection (storage cleared, disk error), or the store was closed. */
  | 'closed'
  /** Any other failure (the cause says which). */
  | 'failed'

/** The session store failed (quota, blocked, closed). The client goes on with the session in memory. */
export class StorageError extends MqttError {
  override name = 'StorageError'
  /** What went wrong, when the store could tell. */
  readonly failure: StorageFailure | undefined
  constructor(message: string, options: MqttErrorOptions & { failure?: StorageFailure } = {}) {
    super(message, MQTT_ERR_UNKNOWN, options)
    this.failure = options.failure
  }
}
/** The runtime cannot do what was asked (e.g. custom WebSocket headers in a browser). */
export class NotSupportedError extends MqttError {
  override name = 'NotSupportedError'
  constructor(message: string, options: MqttErrorOptions = {}) { super(message, MQTT_ERR_NOT_SUPPORTED, options) }
}
/** Another tab (or client) owns this session. */
export class SessionLockedError extends MqttError {
  override name = 'SessionLockedError'
  constructor(message: string, options: MqttErrorOptions = {}) { super(message, MQTT_ERR_CONN_REFUSED, options) }
}

/** Every error class, by name. */
export const errors = {
  MqttError, InvalidArgumentError, InvalidTopicError, InvalidFilterError, InvalidQosError, InvalidPayloadError,
  InvalidPropertyError, InvalidStateError, PacketTooLargeError, ConnectionRefusedError, ConnectionClosedError,
  ConnectTimeoutError, KeepaliveTimeoutError, ProtocolError, ServerDisconnectError, QueueFullError, NotConnectedError,
  PublishFailedError, TimeoutError, StorageError, NotSupportedError, SessionLockedError,
} as const
