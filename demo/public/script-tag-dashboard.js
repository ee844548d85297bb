/* A dashboard without a bundler: uses the global `webmqtt` defined by /webmqtt.iife.js (loaded before this file).
   Plain browser JavaScript, no inline script, so it runs under a strict Content-Security-Policy. */
;(function () {
  'use strict'
  var statusEl = document.getElementById('status')
  var tiles = document.getElementById('tiles')
  var empty = document.getElementById('empty')
  var simulate = document.getElementById('simulate')
  var FILTER = 'webmqtt/demo/sensors/+'
  var SENSORS = ['kitchen', 'garden', 'garage']

  function setStatus(state, text) {
    statusEl.dataset.state = state
    statusEl.textContent = text
  }

  if (typeof window.webmqtt === 'undefined' || typeof window.webmqtt.Client !== 'function') {
    setStatus('error', 'webmqtt.iife.js did not load: the global `webmqtt` is missing.')
    return
  }

  var params = new URLSearchParams(location.search)
  var url = params.get('broker') || (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/mqtt'
  document.getElementById('broker').textContent = url
  document.getElementById('filter').textContent = FILTER

  var client = new webmqtt.Client({ clientId: 'dashboard-' + Math.random().toString(36).slice(2, 10) })
  var byTopic = new Map()

  client.on('status', function (ev) {
    if (ev.type === 'connecting') setStatus('connecting', 'Connecting…')
    else if (ev.type === 'connected') setStatus('connected', 'Connected')
    else if (ev.type === 'reconnecting') setStatus('reconnecting', 'Reconnecting in ' + (ev.delayMs / 1000).toFixed(1) + ' s (attempt ' + ev.attempt + ')')
    else if (ev.type === 'disconnected') setStatus(ev.error ? 'error' : 'disconnected', ev.error ? 'Disconnected: ' + ev.error.message : 'Disconnected')
    else if (ev.type === 'error') setStatus('error', 'Error: ' + ev.error.message)
  })
  client.on('state', function (state) {
    simulate.disabled = state !== 'connected'
  })

  client.onMessage = function (_client, _userdata, msg) {
    var tile = byTopic.get(msg.topic)
    if (!tile) {
      tile = document.createElement('li')
      tile.className = 'tile'
      tile.dataset.topic = msg.topic
      var name = document.createElement('div')
      name.className = 'name'
      name.textContent = msg.topic.split('/').pop()
      name.title = msg.topic
      var value = document.createElement('div')
      value.className = 'value'
      var time = document.createElement('div')
      time.className = 'time'
      tile.append(name, value, time)
      byTopic.set(msg.topic, tile)
      tiles.append(tile)
      empty.hidden = true
    }
    tile.querySelector('.value').textContent = msg.text
    tile.querySelector('.time').textContent = new Date().toLocaleTimeString()
  }

  var timer = 0
  var level = { kitchen: 21, garden: 14, garage: 9 }
  simulate.addEventListener('click', function () {
    var on = simulate.getAttribute('aria-pressed') !== 'true'
    simulate.setAttribute('aria-pressed', String(on))
    simulate.textContent = on ? 'Stop simulator' : 'Start simulator'
    clearInterval(timer)
    if (!on) return
    timer = setInterval(function () {
      SENSORS.forEach(function (s) {
        level[s] = Math.round((level[s] + (Math.random() - 0.5)) * 10) / 10
        client.publish('webmqtt/demo/sensors/' + s, level[s].toFixed(1) + ' °C', 0)
      })
    }, 1000)
  })

  client.connect(url).then(
    function () { return client.subscribe(FILTER, 0) },
    function (err) { setStatus('error', 'Cannot connect: ' + err.message) }
  )
})()
