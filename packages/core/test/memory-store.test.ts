import { describe, expect, it } from 'vitest'
import { MemoryStore } from '../src/memory-store.js'
import { runSessionStoreContract } from './contract/session-store.contract.js'

runSessionStoreContract('MemoryStore', async () => new MemoryStore(), { strictOps: true })

describe('MemoryStore', () => {
  it('keeps state across clients that share the instance, not across instances', async () => {
    const a = new MemoryStore()
    await a.apply('k', [{ type: 'putIncoming', mid: 3 }])
    expect((await a.load('k')).incoming).toEqual([3])
    expect((await new MemoryStore().load('k')).incoming).toEqual([])
  })
})
