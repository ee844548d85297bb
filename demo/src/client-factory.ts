/** The one place that constructs the SDK client from the connection plan. */
import { Client } from '@webmqtt/browser'
import type { ConnectionPlan } from './plan.js'

export function createClient(plan: ConnectionPlan, password: string): Client {
  const client = new Client({
    clientId: plan.clientId,
    protocol: plan.protocol,
    cleanSession: plan.cleanSession,
    cleanStart: plan.cleanStart,
    ...(plan.sessionExpiryInterval !== undefined ? { sessionExpiryInterval: plan.sessionExpiryInterval } : {}),
    persistence: plan.persistInIndexedDb ? 'indexeddb' : 'memory',
  })
  // Credentials live in this client object only; the form never stores the password.
  if (plan.username !== undefined) client.usernamePwSet(plan.username, password === '' ? undefined : password)
  if (plan.will) client.willSet(plan.will.topic, plan.will.payload, plan.will.qos, plan.will.retain)
  client.reconnectDelaySet(1, 30)
  return client
}
