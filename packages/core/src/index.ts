/** @webmqtt/core — transport-agnostic MQTT 3.1/3.1.1/5 client with a paho-mqtt style API. */

export { Client } from './client.js'
export { MqttMessage } from './message.js'
export { MessageInfo } from './message-info.js'
export { MemoryStore } from './memory-store.js'
export { emptySnapshot, validateStoreOp } from './store.js'
export { nativeTimers } from './timers.js'
export { MQTTv31, MQTTv311, MQTTv5, isProtocolVersion } from './protocol-version.js'
export { topicMatchesSub, validateTopic, validateFilter, isValidTopic, isValidFilter } from './topic.js'
export { toPayload } from './payload.js'
export { single, multiple, simple, callback } from './helpers.js'
export {
  ReasonCode, connackString, errorString, connackRcToReasonCode,
  MQTT_ERR_AGAIN, MQTT_ERR_SUCCESS, MQTT_ERR_NOMEM, MQTT_ERR_PROTOCOL, MQTT_ERR_INVAL, MQTT_ERR_NO_CONN,
  MQTT_ERR_CONN_REFUSED, MQTT_ERR_NOT_FOUND, MQTT_ERR_CONN_LOST, MQTT_ERR_TLS, MQTT_ERR_PAYLOAD_SIZE,
  MQTT_ERR_NOT_SUPPORTED, MQTT_ERR_AUTH, MQTT_ERR_ACL_DENIED, MQTT_ERR_UNKNOWN, MQTT_ERR_ERRNO, MQTT_ERR_QUEUE_SIZE,
  MQTT_ERR_KEEPALIVE,
  MQTT_LOG_INFO, MQTT_LOG_NOTICE, MQTT_LOG_WARNING, MQTT_LOG_ERR, MQTT_LOG_DEBUG, MQTT_CLEAN_START_FIRST_ONLY,
} from './codes.js'
export {
  errors, MqttError, InvalidArgumentError, InvalidTopicError, InvalidFilterError, InvalidQosError, InvalidPayloadError,
  InvalidPropertyError, InvalidStateError, PacketTooLargeError, ConnectionRefusedError, ConnectionClosedError,
  ConnectTimeoutError, KeepaliveTimeoutError, ProtocolError, ServerDisconnectError, QueueFullError, NotConnectedError,
  PublishFailedError, TimeoutError, StorageError, NotSupportedError, SessionLockedError,
} from './errors.js'

export type {
  ClientOptions, ClientState, ClientEvents, StatusEvent, ConnectOptions, ConnackResult, SubscribeResult, UnsubscribeResult,
  Logger, OnConnect, OnConnectFail, OnDisconnect, OnMessage, OnPublish, OnSubscribe, OnUnsubscribe, OnLog,
} from './client-types.js'
export type { PublishState } from './message-info.js'
export type { ProtocolVersion } from './protocol-version.js'
export type { Transport, TransportConnection, TransportHandlers, ConnectTarget } from './transport.js'
export type { Timers, TimerHandle } from './timers.js'
export type {
  SessionStore, SessionSnapshot, SessionMeta, StoreOp, StoredOutgoing, StoredIncoming, StoredIncomingMessage, StoredSubscription, OutgoingStage,
} from './store.js'
export type { PacketName, MqttErrorCode, LogLevel } from './codes.js'
export type { MqttErrorOptions, StorageFailure } from './errors.js'
export type { HelperOptions, HelperMessage, SimpleOptions, CallbackHandle } from './helpers.js'
export type { SubscribeTopicArg } from './subscribe-args.js'
export type {
  QoS, UserProperties, PublishProperties, ConnectProperties, WillProperties, ConnackProperties, SubscribeProperties,
  UnsubscribeProperties, AckProperties, DisconnectProperties, SubscribeOptions, PayloadInput, ConnectFlags, DisconnectFlags,
} from './types.js'
