/** MQTT protocol levels, named as in paho-mqtt. */
export const MQTTv31 = 3
export const MQTTv311 = 4
export const MQTTv5 = 5
export type ProtocolVersion = typeof MQTTv31 | typeof MQTTv311 | typeof MQTTv5

export function isProtocolVersion(v: unknown): v is ProtocolVersion {
  return v === MQTTv31 || v === MQTTv311 || v === MQTTv5
}
