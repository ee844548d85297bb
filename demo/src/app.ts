/**
 * The demo's controller: owns the SDK client, and wires it to the panels. Everything the SDK reports is shown
 * as it happens: state and status events, in-flight/queued counts, per-publish results, incoming messages.
 */
import type { Client, MessageInfo, MqttMessage, PublishProperties, StatusEvent, SubscribeOptions } from '@webmqtt/browser'
import { createClient } from './client-factory.js'
import { ConnectionForm } from './connection-form.js'
import { byId, describeError, showError } from './dom.js'
import { parsePayloadInput, parseUserProperties, type PayloadMode } from './format.js'
import { planConnection, type ConnectionPlan } from './plan.js'
import { RateCounter } from './rate.js'
import {
  defaultSettings, loadSettings, loadSubscriptions, saveSettings, saveSubscriptions,
  type KeyValueStorage, type QoSChoice, type SavedSubscription,
} from './settings.js'
import { describeStatus, type DemoStatusEvent } from './status-text.js'
import { MessageLogView } from './views/message-log.js'
import { PublishListView, type PublishStatus } from './views/publish-list.js'
import { RateChart } from './views/rate-chart.js'
import { SubscriptionListView } from './views/subscriptions.js'

const MAX_REPEAT = 10_000

function storage(): KeyValueStorage | undefined {
  try {
    return window.localStorage
  } catch {
    return undefined // storage blocked: the demo still works, it just does not remember the form
  }
}

export class DemoApp {
  readonly #form = new ConnectionForm()
  readonly #storage = storage()
  readonly #rateIn = new RateCounter(60)
  readonly #rateOut = new RateCounter(60)
  readonly #log = new MessageLogView(byId<HTMLOListElement>('log-list'), byId('log-count'), 500)
  readonly #subs = new SubscriptionListView(byId<HTMLUListElement>('sub-list'), byId('subs-empty'))
  readonly #pubs = new PublishListView(byId<HTMLOListElement>('pub-list'))
  readonly #status = byId('status')
  readonly #statusText = byId('status-text')
  readonly #statusDetail = byId('status-detail')
  readonly #announce = byId('status-announce')
  readonly #connectBtn = byId<HTMLButtonElement>('connect-btn')
  readonly #disconnectBtn = byId<HTMLButtonElement>('disconnect-btn')
  readonly #connectError = byId('connect-error')
  #client: Client | undefined
  #plan: ConnectionPlan | undefined
  #unlisten: Array<() => void> = []
  #ours = new WeakSet<MessageInfo>()
  #received = 0
  #sent = 0
  #reconnectAt = 0
  #lastStatus: DemoStatusEvent = { type: 'disconnected' }

  start(): void {
    this.#form.load(loadSettings(this.#storage, defaultSettings()))
    this.#form.onChange = () => this.#saveForm()
    this.#saveForm()

    this.#form.form.addEventListener('submit', (e) => {
      e.preventDefault()
      void this.connect()
    })
    this.#disconnectBtn.addEventListener('click', () => void this.disconnect())
    byId<HTMLFormElement>('subscribe-form').addEventListener('submit', (e) => {
      e.preventDefault()
      this.#subscribeFromForm()
    })
    byId<HTMLFormElement>('publish-form').addEventListener('submit', (e) => {
      e.preventDefault()
      void this.#publishFromForm()
    })
    this.#subs.onUnsubscribe = (f) => void this.#unsubscribe(f)
    this.#subs.onChange = (subs) => {
      if (this.#plan?.persistInIndexedDb) saveSubscriptions(this.#storage, this.#plan.sessionKey, subs)
    }
    const filter = byId<HTMLInputElement>('log-filter')
    filter.addEventListener('input', () => this.#log.setFilter(filter.value))
    byId('log-clear').addEventListener('click', () => this.#log.clear())

    new RateChart(byId<HTMLCanvasElement>('rate-chart'), { in: this.#rateIn, out: this.#rateOut }, { in: byId('rate-in'), out: byId('rate-out') }).start()
    window.setInterval(() => this.#tick(), 250)
    this.#renderStatus()

    // "Keep session across reloads": show the saved session's subscriptions, and when the page was connected
    // when it went away, reconnect by itself and resume the session.
    const s = this.#form.read()
    const target = this.#form.url()
    if (s.keepSession && 'url' in target) {
      this.#subs.replaceAll(loadSubscriptions(this.#storage, planConnection(s, target.url).sessionKey), { kind: 'restored' })
    }
    if (s.keepSession && s.resume) void this.connect()
  }

  #saveForm(): void {
    saveSettings(this.#storage, this.#form.read())
  }

  async connect(): Promise<void> {
    showError(this.#connectError, undefined)
    const settings = this.#form.read()
    const target = this.#form.url()
    if ('error' in target) return showError(this.#connectError, target.error)
    if (settings.clientId === '' && (settings.keepSession || !settings.cleanSession)) {
      return showError(this.#connectError, 'A persistent session needs a client ID.')
    }
    await this.#dispose()
    const plan = planConnection(settings, target.url)
    let client: Client
    try {
      client = createClient(plan, this.#form.password)
    } catch (e) {
      return showError(this.#connectError, describeError(e))
    }
    this.#client = client
    this.#plan = plan
    this.#subs.replaceAll(plan.persistInIndexedDb ? loadSubscriptions(this.#storage, plan.sessionKey) : [], { kind: 'restored' })
    this.#wire(client)
    this.#form.setLocked(true)
    this.#renderButtons()
    try {
      if (plan.persistInIndexedDb) {
        // Load the stored session first, so messages still outstanding from the last visit are listed.
        await client.restoreSession(plan.url)
        if (client !== this.#client) return
        this.#showRestored(client)
      }
      await client.connect(plan.url, undefined, plan.keepalive)
      this.#form.resume = plan.persistInIndexedDb
      this.#saveForm()
    } catch (e) {
      // While the client retries, the status line shows the attempt and the last error; say it here only
      // when the client gave up (refused for good, bad URL, session locked by another tab, …).
      if (client !== this.#client || client.state !== 'disconnected') return
      const hint = (e as Error | undefined)?.name === 'SessionLockedError'
        ? ' — this session is open in another tab: close it there, or press New for another client ID.'
        : ''
      showError(this.#connectError, describeError(e) + hint)
    }
  }

  async disconnect(): Promise<void> {
    this.#form.resume = false
    this.#saveForm()
    const c = this.#client
    if (!c) return
    try {
      await c.disconnect()
    } catch (e) {
      showError(this.#connectError, describeError(e))
    }
  }

  /** Drop the previous client (a new Connect may change any setting). */
  async #dispose(): Promise<void> {
    const c = this.#client
    for (const off of this.#unlisten.splice(0)) off()
    this.#client = undefined
    if (!c) return
    try {
      // Also when already disconnected: this releases the tab's lock on the (broker, clientId) session.
      await c.disconnect()
    } catch {
      // already gone
    }
  }

  #wire(client: Client): void {
    this.#unlisten.push(
      client.on('state', () => this.#renderButtons()),
      client.on('status', (ev: StatusEvent) => this.#onStatus(ev)),
    )
    client.onMessage = (_c, _u, m) => this.#onMessage(m)
  }

  #onStatus(ev: StatusEvent): void {
    if (ev.type === 'error') {
      // Not a state change (e.g. storage fell back to memory): say it, keep the state line.
      showError(this.#connectError, describeStatus(ev, '').announce)
      return
    }
    if (ev.type === 'reconnecting') this.#reconnectAt = Date.now() + ev.delayMs
    if (ev.type === 'connected') {
      showError(this.#connectError, undefined)
      // Saved subscriptions: the broker kept them, or the client has just re-sent them.
      this.#subs.updateWhere('restored', { kind: 'resumed', sessionPresent: ev.sessionPresent })
    }
    this.#lastStatus = ev
    this.#renderStatus(true)
  }

  #renderStatus(announce = false): void {
    const ev = this.#lastStatus
    const remaining = ev.type === 'reconnecting' ? this.#reconnectAt - Date.now() : undefined
    const d = describeStatus(ev, this.#plan?.url ?? this.#form.brokerLabel(), remaining)
    this.#status.dataset.state = d.tone
    if (this.#statusText.textContent !== d.text) this.#statusText.textContent = d.text
    if (this.#statusDetail.textContent !== d.detail) {
      this.#statusDetail.textContent = d.detail
      this.#statusDetail.title = d.detail
    }
    // The live region changes on status events only, so a countdown is not read out four times a second.
    if (announce) this.#announce.textContent = d.announce
  }

  #renderButtons(): void {
    const state = this.#client?.state ?? 'disconnected'
    const idle = state === 'disconnected'
    this.#connectBtn.disabled = !idle
    this.#disconnectBtn.disabled = idle
    this.#form.setLocked(!idle)
    document.body.dataset.clientState = state
  }

  #tick(): void {
    const c = this.#client
    byId('count-inflight').textContent = String(c?.inflightCount ?? 0)
    byId('count-queued').textContent = String(c?.queuedCount ?? 0)
    byId('count-in').textContent = String(this.#received)
    byId('count-out').textContent = String(this.#sent)
    if (this.#lastStatus.type === 'reconnecting') this.#renderStatus()
  }

  #onMessage(m: MqttMessage): void {
    this.#received++
    this.#rateIn.record(Date.now())
    this.#log.add({
      topic: m.topic,
      payload: m.payload,
      qos: m.qos,
      retain: m.retain,
      dup: m.dup,
      time: m.timestamp ?? Date.now(),
      contentType: m.properties?.contentType,
      userProperties: m.properties?.userProperties,
    })
  }

  // ------------------------------------------------------------------ subscribe

  #subscribeFromForm(): void {
    const err = byId('subscribe-error')
    showError(err, undefined)
    const c = this.#client
    if (!c) return showError(err, 'Connect first.')
    const filter = byId<HTMLInputElement>('sub-filter').value.trim()
    const qos = Number(byId<HTMLSelectElement>('sub-qos').value) as QoSChoice
    const sub: SavedSubscription = { filter, qos }
    if (this.#plan?.protocol === 5) {
      sub.noLocal = byId<HTMLInputElement>('sub-no-local').checked
      sub.retainAsPublished = byId<HTMLInputElement>('sub-rap').checked
      sub.retainHandling = Number(byId<HTMLSelectElement>('sub-rh').value) as 0 | 1 | 2
    }
    let result
    try {
      const options: SubscribeOptions = { qos, ...(this.#plan?.protocol === 5 ? { noLocal: sub.noLocal, retainAsPublished: sub.retainAsPublished, retainHandling: sub.retainHandling } : {}) }
      result = c.subscribe(filter, options)
    } catch (e) {
      return showError(err, describeError(e))
    }
    this.#subs.set(sub, { kind: 'pending' })
    result.granted.then(
      (codes) => {
        const rc = codes[0]
        if (!rc || rc.isFailure) this.#subs.setStatus(filter, { kind: 'failed', reason: rc ? `${rc.name} (${rc.value})` : 'no reason code' })
        else this.#subs.setStatus(filter, { kind: 'granted', qos: rc.value })
      },
      (e: unknown) => this.#subs.setStatus(filter, { kind: 'failed', reason: describeError(e) }),
    )
  }

  async #unsubscribe(filter: string): Promise<void> {
    const err = byId('subscribe-error')
    showError(err, undefined)
    this.#subs.remove(filter)
    const c = this.#client
    if (!c) return
    try {
      await c.unsubscribe(filter)
    } catch (e) {
      showError(err, `Unsubscribe ${filter}: ${describeError(e)}`)
    }
  }

  // ------------------------------------------------------------------ publish

  #publishProperties(): PublishProperties | undefined {
    if (this.#plan?.protocol !== 5) return undefined
    const props: PublishProperties = {}
    const ct = byId<HTMLInputElement>('pub-content-type').value.trim()
    if (ct !== '') props.contentType = ct
    const exp = byId<HTMLInputElement>('pub-expiry').value.trim()
    if (exp !== '') {
      const n = Number(exp)
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError('message expiry must be a whole number of seconds')
      props.messageExpiryInterval = n
    }
    const up = parseUserProperties(byId<HTMLTextAreaElement>('pub-user-props').value)
    if (up) props.userProperties = up
    return Object.keys(props).length > 0 ? props : undefined
  }

  async #publishFromForm(): Promise<void> {
    const err = byId('publish-error')
    showError(err, undefined)
    const c = this.#client
    if (!c) return showError(err, 'Connect first.')
    const topic = byId<HTMLInputElement>('pub-topic').value
    const mode = (byId<HTMLFormElement>('publish-form').elements.namedItem('payloadMode') as RadioNodeList).value as PayloadMode
    const qos = Number(byId<HTMLSelectElement>('pub-qos').value) as QoSChoice
    const retain = byId<HTMLInputElement>('pub-retain').checked
    const repeat = Math.min(Math.max(1, Math.floor(Number(byId<HTMLInputElement>('pub-repeat').value) || 1)), MAX_REPEAT)
    let payload: string | Uint8Array
    let props: PublishProperties | undefined
    try {
      payload = parsePayloadInput(byId<HTMLTextAreaElement>('pub-payload').value, mode)
      props = this.#publishProperties()
    } catch (e) {
      return showError(err, describeError(e))
    }
    const infos: MessageInfo[] = []
    for (let i = 0; i < repeat; i++) {
      let info: MessageInfo
      try {
        info = c.publish(topic, payload, qos, retain, props)
      } catch (e) {
        showError(err, describeError(e))
        break
      }
      this.#ours.add(info)
      infos.push(info)
      this.#sent++
      this.#rateOut.record(Date.now())
      // Yield now and then so a big repeat count does not freeze the page.
      if (i % 500 === 499) await new Promise((r) => window.setTimeout(r, 0))
    }
    if (infos.length === 0) return
    if (infos.length === 1) this.#track(infos[0] as MessageInfo, topic)
    else this.#trackMany(infos, topic)
  }

  #initialStatus(info: MessageInfo): PublishStatus {
    return info.state === 'queued' && this.#client?.state !== 'connected' ? 'queued' : 'sent'
  }

  #track(info: MessageInfo, label: string, note?: string): void {
    const row = this.#pubs.add(label, info.qos, this.#initialStatus(info), note)
    info.waitForPublish().then(
      () => row.update(info.qos === 0 ? 'sent' : 'acknowledged', info.qos === 0 ? undefined : info.reasonCode && info.reasonCode.value !== 0 ? info.reasonCode.name : undefined, true),
      (e: unknown) => row.update('failed', describeError(e)),
    )
  }

  #trackMany(infos: MessageInfo[], topic: string): void {
    const qos = (infos[0] as MessageInfo).qos
    const row = this.#pubs.add(`${topic} ×${infos.length}`, qos, this.#initialStatus(infos[0] as MessageInfo))
    let ok = 0
    let failed = 0
    let lastError = ''
    const update = (): void => {
      const done = ok + failed
      const final = done === infos.length
      const status: PublishStatus = failed > 0 && final ? 'failed' : final ? (qos === 0 ? 'sent' : 'acknowledged') : 'sent'
      row.update(status, `${ok}/${infos.length} ${qos === 0 ? 'sent' : 'acknowledged'}${failed ? `, ${failed} failed (${lastError})` : ''}`, final)
    }
    for (const info of infos) {
      info.waitForPublish().then(
        () => { ok++; if ((ok + failed) % 100 === 0 || ok + failed === infos.length) update() },
        (e: unknown) => { failed++; lastError = describeError(e); if ((ok + failed) % 100 === 0 || ok + failed === infos.length) update() },
      )
    }
    update()
  }

  /** Messages restored from IndexedDB (published before the reload and not yet acknowledged). */
  #showRestored(client: Client): void {
    const restored = client.pendingMessages().filter((m) => !this.#ours.has(m))
    for (const info of restored) {
      this.#ours.add(info)
      this.#track(info, info.topic, 'restored from the previous page')
    }
  }
}
