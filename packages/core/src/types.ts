/** Shared public types. Property names follow mqtt-packet (camelCase MQTT 5 property names). */

export type QoS = 0 | 1 | 2

/** MQTT 5 user properties: a key may repeat, so values may be arrays. */
export type UserProperties = Record<string, string | string[]>

export interface PublishProperties {
  payloadFormatIndicator?: boolean
  messageExpiryInterval?: number
  topicAlias?: number
  responseTopic?: string
  correlationData?: Uint8Array
  userProperties?: UserProperties
  subscriptionIdentifier?: number | number[]
  contentType?: string
}

export interface ConnectProperties {
  sessionExpiryInterval?: number
  receiveMaximum?: number
  maximumPacketSize?: number
  topicAliasMaximum?: number
  requestResponseInformation?: boolean
  requestProblemInformation?: boolean
  userProperties?: UserProperties
  authenticationMethod?: string
  authenticationData?: Uint8Array
}

export interface WillProperties {
  willDelayInterval?: number
  payloadFormatIndicator?: boolean
  messageExpiryInterval?: number
  contentType?: string
  responseTopic?: string
  correlationData?: Uint8Array
  userProperties?: UserProperties
}

export interface ConnackProperties {
  sessionExpiryInterval?: number
  receiveMaximum?: number
  maximumQoS?: number
  retainAvailable?: boolean
  maximumPacketSize?: number
  assignedClientIdentifier?: string
  topicAliasMaximum?: number
  reasonString?: string
  userProperties?: UserProperties
  wildcardSubscriptionAvailable?: boolean
  subscriptionIdentifiersAvailable?: boolean
  sharedSubscriptionAvailable?: boolean
  serverKeepAlive?: number
  responseInformation?: string
  serverReference?: string
  authenticationMethod?: string
  authenticationData?: Uint8Array
}

export interface SubscribeProperties {
  subscriptionIdentifier?: number
  userProperties?: UserProperties
}

export interface UnsubscribeProperties {
  userProperties?: UserProperties
}

/** Properties of PUBACK/PUBREC/PUBREL/PUBCOMP/SUBACK/UNSUBACK. */
export interface AckProperties {
  reasonString?: string
  userProperties?: UserProperties
}

export interface DisconnectProperties {
  sessionExpiryInterval?: number
  reasonString?: string
  userProperties?: UserProperties
  serverReference?: string
}

/** Per-subscription options (MQTT 5 options are ignored on 3.x). */
export interface SubscribeOptions {
  qos: QoS
  noLocal?: boolean
  retainAsPublished?: boolean
  /** 0: send retained on subscribe, 1: only if new subscription, 2: never. */
  retainHandling?: 0 | 1 | 2
}

/** A payload accepted by publish()/willSet(). */
export type PayloadInput = string | number | Uint8Array | ArrayBuffer | ArrayBufferView | null | undefined

/** paho-style CONNACK flags passed to onConnect. */
export interface ConnectFlags {
  sessionPresent: boolean
}

/** Flags passed to onDisconnect. */
export interface DisconnectFlags {
  /** True when the disconnect came from the server (DISCONNECT packet), v5 only. */
  fromServer: boolean
}
