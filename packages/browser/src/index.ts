export * from '@webmqtt/core'
