/** Recent publishes with a status each: queued / sent / acknowledged / failed (from MessageInfo.waitForPublish). */
import { h } from '../dom.js'
import { formatTime } from '../format.js'

export type PublishStatus = 'queued' | 'sent' | 'acknowledged' | 'failed'

export interface PublishRow {
  /** `final`: no further change is coming (a QoS 0 message that was sent is done). */
  update(status: PublishStatus, detail?: string, final?: boolean): void
}

export class PublishListView {
  readonly #list: HTMLOListElement
  readonly #limit: number

  constructor(list: HTMLOListElement, limit = 20) {
    this.#list = list
    this.#limit = limit
  }

  add(label: string, qos: number, status: PublishStatus, note?: string): PublishRow {
    const pill = h('span', { class: 'pill', 'data-status': status, text: status })
    const detail = h('span', { class: 'hint pub-detail' })
    const li = h(
      'li',
      { 'data-status': status },
      h('time', { class: 'hint', text: formatTime(Date.now()).slice(0, 8) }),
      h('span', { class: 'pub-topic', title: label, text: label }),
      h('span', { class: 'hint', text: `QoS ${qos}` }),
      pill,
      detail,
    )
    if (note) detail.textContent = note
    this.#list.prepend(li)
    while (this.#list.children.length > this.#limit) this.#list.lastElementChild?.remove()
    return {
      update(s, d, final) {
        li.dataset.status = s
        pill.dataset.status = s
        pill.dataset.final = String(final ?? (s !== 'sent' && s !== 'queued'))
        pill.textContent = s
        if (d !== undefined) detail.textContent = d
      },
    }
  }
}
