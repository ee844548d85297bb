// A plain page: the IIFE build defines the global `webmqtt`. QoS 1 round trip through ?broker=.
(function () {
  'use strict'
  var violations = []
  document.addEventListener('securitypolicyviolation', function (e) { violations.push(e.effectiveDirective + ' ' + e.blockedURI) })

  function run() {
    var params = new URLSearchParams(location.search)
    var broker = params.get('broker') || ''
    var topic = params.get('topic') || 'webmqtt/script'
    var client = new webmqtt.Client()
    var sent = 'hello from a script tag ' + Date.now()
    var message = new Promise(function (resolve) {
      client.onMessage = function (_client, _userdata, m) { resolve(m.text) }
    })
    return client.connect(broker)
      .then(function () { return client.subscribe(topic, 1) })
      .then(function () { return client.publish(topic, sent, 1).waitForPublish(10000) })
      .then(function () { return message })
      .then(function (received) {
        return { ok: received === sent, sent: sent, received: received, timersMode: webmqtt.sharedWorkerTimers().mode, violations: violations }
      }, function (err) {
        return { ok: false, error: err && err.name ? err.name + ': ' + err.message : String(err), violations: violations }
      })
      .then(function (r) { return client.disconnect().then(function () { return r }) })
  }

  var result = run()
  window.webmqttConsumer = result
  result.then(function (r) { document.getElementById('out').textContent = JSON.stringify(r, null, 2) })
})()
