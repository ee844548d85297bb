// The browser package's own build settings (packages/browser/build/vite-options.mjs), re-exported with types
// (browser-build.d.mts) for the demo's Vite config and the IIFE fallback.
export { SHIMS, viteOptions } from '../../packages/browser/build/vite-options.mjs'
export { clientOnlyMqttPacket, mqttPacketDir } from '../../packages/browser/build/client-only-mqtt-packet.mjs'
