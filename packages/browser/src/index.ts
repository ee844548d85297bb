/**
 * @webmqtt/browser — MQTT over WebSocket for browsers: the core API (paho-mqtt style, promises, async iterators)
 * with browser defaults: WebSocket transport, IndexedDB sessions, Worker timers, page lifecycle hooks.
 * `Client` here is the browser Client; everything else is the core API.
 */
import {
  ConnectTimeoutError, ConnectionClosedError, ConnectionRefusedError, InvalidArgumentError, InvalidFilterError, InvalidPayloadError,
  InvalidPropertyError, InvalidQosError, InvalidStateError, InvalidTopicError, KeepaliveTimeoutError, MqttError, NotConnectedError,
  NotSupportedError, PacketTooLargeError, ProtocolError, PublishFailedError, QueueFullError, ServerDisconnectError, SessionLockedError,
  StorageError, TimeoutError,
} from '@webmqtt/core'
import type { errors as coreErrors } from '@webmqtt/core'
import { WebSocketRefusedError, WebSocketTimeoutError } from './errors.js'

export { Client } from './client.js'
export { WebSocketTransport } from './websocket-transport.js'
export { createWorkerTimers, sharedWorkerTimers } from './worker-timers.js'
export { attachLifecycle } from './lifecycle.js'
export { IndexedDBStore, openSessionStore, isIndexedDBStorageError } from './indexeddb-store.js'
export { LazyIndexedDBStore } from './lazy-store.js'
export { acquireSessionLock } from './tab-lock.js'
export { single, multiple, simple, callback } from './helpers.js'
export { WebSocketRefusedError, WebSocketTimeoutError }

/** Every error class, by name (the core's plus the WebSocket transport's). */
export const errors: typeof coreErrors & { readonly WebSocketRefusedError: typeof WebSocketRefusedError; readonly WebSocketTimeoutError: typeof WebSocketTimeoutError } =
{
  MqttError, InvalidArgumentError, InvalidTopicError, InvalidFilterError, InvalidQosError, InvalidPayloadError,
  InvalidPropertyError, InvalidStateError, PacketTooLargeError, ConnectionRefusedError, ConnectionClosedError,
  ConnectTimeoutError, KeepaliveTimeoutError, ProtocolError, ServerDisconnectError, QueueFullError, NotConnectedError,
  PublishFailedError, TimeoutError, StorageError, NotSupportedError, SessionLockedError, WebSocketRefusedError,
  WebSocketTimeoutError,
}

// The core API, by name (its Client is the base class of ours).
export {
  Client as CoreClient, MQTT_CLEAN_START_FIRST_ONLY, MqttMessage, MessageInfo, MemoryStore, emptySnapshot, nativeTimers,
  MQTTv31, MQTTv311, MQTTv5, isProtocolVersion, topicMatchesSub, validateTopic, validateFilter, isValidTopic, isValidFilter,
  toPayload,
  ReasonCode, connackString, errorString, connackRcToReasonCode,
  MQTT_ERR_AGAIN, MQTT_ERR_SUCCESS, MQTT_ERR_NOMEM, MQTT_ERR_PROTOCOL, MQTT_ERR_INVAL, MQTT_ERR_NO_CONN,
  MQTT_ERR_CONN_REFUSED, MQTT_ERR_NOT_FOUND, MQTT_ERR_CONN_LOST, MQTT_ERR_TLS, MQTT_ERR_PAYLOAD_SIZE,
  MQTT_ERR_NOT_SUPPORTED, MQTT_ERR_AUTH, MQTT_ERR_ACL_DENIED, MQTT_ERR_UNKNOWN, MQTT_ERR_ERRNO, MQTT_ERR_QUEUE_SIZE,
  MQTT_ERR_KEEPALIVE,
  MQTT_LOG_INFO, MQTT_LOG_NOTICE, MQTT_LOG_WARNING, MQTT_LOG_ERR, MQTT_LOG_DEBUG,
  MqttError, InvalidArgumentError, InvalidTopicError, InvalidFilterError, InvalidQosError, InvalidPayloadError,
  InvalidPropertyError, InvalidStateError, PacketTooLargeError, ConnectionRefusedError, ConnectionClosedError,
  ConnectTimeoutError, KeepaliveTimeoutError, ProtocolError, ServerDisconnectError, QueueFullError, NotConnectedError,
  PublishFailedError, TimeoutError, StorageError, NotSupportedError, SessionLockedError,
} from '@webmqtt/core'

export type { BrowserClientOptions } from './client.js'
export type { BrowserHelperOptions, BrowserSimpleOptions } from './helpers.js'
export type {
  WebSocketOptions, WebSocketTransportOptions, WebSocketLike, CreateWebSocket, WebSocketHeaders, PathContext, MaybePromise,
} from './websocket-transport.js'
export type { WorkerTimers, WorkerTimersOptions, WorkerTimersMode } from './worker-timers.js'
export type { LifecycleClient, LifecycleOptions, LifecycleScope } from './lifecycle.js'
export type { SessionLock, AcquireSessionLockOptions } from './tab-lock.js'
export type {
  IndexedDBStoreOptions, IndexedDBStorageError, OpenSessionStoreResult, StorageFailure,
} from './indexeddb-store.js'
export type {
  ClientOptions, ClientState, ClientEvents, StatusEvent, ConnectOptions, ConnackResult, SubscribeResult, UnsubscribeResult,
  Logger, OnConnect, OnConnectFail, OnDisconnect, OnMessage, OnPublish, OnSubscribe, OnUnsubscribe, OnLog,
  PublishState, ProtocolVersion, Transport, TransportConnection, TransportHandlers, ConnectTarget, Timers, TimerHandle,
  SessionStore, SessionSnapshot, SessionMeta, StoreOp, StoredOutgoing, StoredIncoming, StoredIncomingMessage, StoredSubscription, OutgoingStage,
  PacketName, MqttErrorCode, LogLevel, MqttErrorOptions, HelperOptions, HelperMessage, SimpleOptions, CallbackHandle,
  SubscribeTopicArg, QoS, UserProperties, PublishProperties, ConnectProperties, WillProperties, ConnackProperties,
  SubscribeProperties, UnsubscribeProperties, AckProperties, DisconnectProperties, SubscribeOptions, PayloadInput,
  ConnectFlags, DisconnectFlags,
} from '@webmqtt/core'
