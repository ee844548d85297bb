/** The connection form: settings ⇄ inputs, preset handling and the constraints between fields. */
import { byId } from './dom.js'
import { generateClientId } from './client-id.js'
import { PRESETS, findPreset, resolveBrokerUrl, type PresetId } from './presets.js'
import type { ConnectionSettings, ProtocolChoice, QoSChoice } from './settings.js'

export class ConnectionForm {
  readonly form = byId<HTMLFormElement>('connect-form')
  readonly #preset = byId<HTMLSelectElement>('preset')
  readonly #presetNote = byId('preset-note')
  readonly #customField = byId('custom-url-field')
  readonly #customUrl = byId<HTMLInputElement>('custom-url')
  readonly #brokerUrl = byId('broker-url')
  readonly #clientId = byId<HTMLInputElement>('client-id')
  readonly #clientIdNew = byId<HTMLButtonElement>('client-id-new')
  readonly #protocol = byId<HTMLSelectElement>('protocol')
  readonly #keepalive = byId<HTMLInputElement>('keepalive')
  readonly #keepSession = byId<HTMLInputElement>('keep-session')
  readonly #clean = byId<HTMLInputElement>('clean-session')
  readonly #cleanLabel = byId('clean-label')
  readonly #expiryField = byId('expiry-field')
  readonly #expiry = byId<HTMLInputElement>('session-expiry')
  readonly #sessionNote = byId('session-note')
  readonly #username = byId<HTMLInputElement>('username')
  readonly #password = byId<HTMLInputElement>('password')
  readonly #willEnabled = byId<HTMLInputElement>('will-enabled')
  readonly #willTopic = byId<HTMLInputElement>('will-topic')
  readonly #willPayload = byId<HTMLInputElement>('will-payload')
  readonly #willQos = byId<HTMLSelectElement>('will-qos')
  readonly #willRetain = byId<HTMLInputElement>('will-retain')
  #clientIdEdited = false
  #resume = false
  /** Fired on any change of a remembered field. */
  onChange: () => void = () => {}

  constructor() {
    for (const p of PRESETS) {
      const o = document.createElement('option')
      o.value = p.id
      o.textContent = p.label
      this.#preset.append(o)
    }
    this.form.addEventListener('input', (e) => {
      if (e.target === this.#clientId) this.#clientIdEdited = true
      this.sync()
      if (e.target !== this.#password) this.onChange()
    })
    this.form.addEventListener('change', () => {
      this.sync()
      this.onChange()
    })
    this.#clientIdNew.addEventListener('click', () => {
      this.#clientId.value = generateClientId()
      this.#clientIdEdited = false
      this.sync()
      this.onChange()
    })
  }

  /** Fill the inputs. A client ID is kept across visits only when it was typed in or a session is kept. */
  load(s: ConnectionSettings): void {
    this.#preset.value = s.preset
    this.#customUrl.value = s.customUrl
    this.#clientIdEdited = s.clientIdEdited
    this.#clientId.value = s.keepSession || this.#clientIdEdited ? s.clientId : generateClientId()
    this.#protocol.value = String(s.protocol)
    this.#keepalive.value = String(s.keepalive)
    this.#keepSession.checked = s.keepSession
    this.#clean.checked = s.cleanSession
    this.#expiry.value = String(s.sessionExpiry)
    this.#username.value = s.username
    this.#willEnabled.checked = s.willEnabled
    this.#willTopic.value = s.willTopic
    this.#willPayload.value = s.willPayload
    this.#willQos.value = String(s.willQos)
    this.#willRetain.checked = s.willRetain
    this.#resume = s.resume
    this.sync()
  }

  read(): ConnectionSettings {
    const num = (el: HTMLInputElement, dflt: number): number => {
      const n = Number(el.value)
      return el.value.trim() !== '' && Number.isInteger(n) && n >= 0 ? n : dflt
    }
    return {
      preset: findPreset(this.#preset.value).id,
      customUrl: this.#customUrl.value.trim(),
      clientId: this.#clientId.value.trim(),
      protocol: Number(this.#protocol.value) as ProtocolChoice,
      cleanSession: this.#clean.checked,
      sessionExpiry: Math.min(num(this.#expiry, 0), 0xffffffff),
      keepSession: this.#keepSession.checked,
      keepalive: Math.min(num(this.#keepalive, 60), 65535),
      username: this.#username.value,
      willEnabled: this.#willEnabled.checked,
      willTopic: this.#willTopic.value,
      willPayload: this.#willPayload.value,
      willQos: Number(this.#willQos.value) as QoSChoice,
      willRetain: this.#willRetain.checked,
      resume: this.#resume,
      clientIdEdited: this.#clientIdEdited,
    }
  }

  set resume(v: boolean) {
    this.#resume = v
  }

  get password(): string {
    return this.#password.value
  }

  /** The URL the current form would connect to, or an error message. */
  url(): { url: string } | { error: string } {
    try {
      return { url: resolveBrokerUrl(this.#preset.value, this.#customUrl.value, window.location) }
    } catch (e) {
      return { error: (e as Error).message }
    }
  }

  /** The broker the form points at, for the status line before any connect. */
  brokerLabel(): string {
    const u = this.url()
    return 'url' in u ? u.url : findPreset(this.#preset.value).label
  }

  get presetId(): PresetId {
    return findPreset(this.#preset.value).id
  }

  /** Show/hide and enable/disable dependent fields. */
  sync(): void {
    const preset = findPreset(this.#preset.value)
    this.#customField.hidden = preset.id !== 'custom'
    const v5 = this.#protocol.value === '5'
    const notes: string[] = [preset.note]
    if (Number(this.#protocol.value) > preset.maxProtocol) notes.push('This broker does not speak MQTT 5: choose 3.1.1.')
    this.#presetNote.textContent = notes.join(' ')
    const u = this.url()
    this.#brokerUrl.textContent = 'url' in u ? u.url : '—'
    this.#customUrl.setAttribute('aria-invalid', String(preset.id === 'custom' && this.#customUrl.value !== '' && 'error' in u))

    this.#cleanLabel.textContent = v5 ? 'Clean start' : 'Clean session'
    this.#expiryField.hidden = !v5
    const keep = this.#keepSession.checked
    this.#clean.disabled = keep
    if (keep) this.#clean.checked = false
    if (keep && v5 && Number(this.#expiry.value) === 0) this.#expiry.value = '3600'
    this.#sessionNote.textContent = keep
      ? `The session (subscriptions, messages in flight or queued offline) is kept in IndexedDB under this client ID and resumed after a reload.${v5 ? ' MQTT 5 needs a session expiry above 0.' : ''}`
      : ''

    for (const el of [this.#willTopic, this.#willPayload, this.#willQos, this.#willRetain]) el.disabled = !this.#willEnabled.checked
    document.querySelectorAll<HTMLElement>('.v5-only').forEach((el) => {
      el.dataset.disabled = String(!v5)
      el.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea').forEach((i) => { i.disabled = !v5 })
    })
  }

  /** Lock the form while a client exists (settings apply at connect time). */
  setLocked(locked: boolean): void {
    for (const el of this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>('input, select, button')) {
      if (el.id === 'disconnect-btn' || el.id === 'connect-btn') continue
      if (locked) el.disabled = true
    }
    if (!locked) {
      for (const el of this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>('input, select, button')) {
        if (el.id !== 'disconnect-btn' && el.id !== 'connect-btn') el.disabled = false
      }
      this.sync()
    }
  }
}
