/** A readable, unique-enough client identifier: `webmqtt-demo-` + 8 base-36 characters (21 chars: within MQTT 3.1's 23). */
export function generateClientId(random: () => number = Math.random): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'
  let s = ''
  for (let i = 0; i < 8; i++) s += alphabet[Math.floor(random() * alphabet.length) % alphabet.length]
  return `webmqtt-demo-${s}`
}
