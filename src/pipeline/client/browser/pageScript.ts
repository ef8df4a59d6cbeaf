/**
 * The script of the page streambench opens in Chromium: it receives one stream the way a
 * chat UI does (EventSource, fetch with a body reader, or WebSocket), decodes every event,
 * renders the markdown into the DOM with the chosen strategy, and records on the page's
 * clock (performance.now()) when each event arrived, when each render updated the DOM and
 * when that render was painted. A control WebSocket to the page server carries the start
 * command, the calibration pings and the report. Plain browser JavaScript in a string: it
 * runs in the page, not in Node (marked's browser build is inlined before it).
 */
export const PAGE_SCRIPT = String.raw`
'use strict';
(function () {
  var params = new URLSearchParams(location.search);
  // The control socket's address comes in the URL: a page served on an app's own origin
  // (target mode) still reports to streambench.
  var control = new WebSocket(params.get('control') + '?session=' + encodeURIComponent(params.get('session')));
  var out = document.getElementById('out');
  var now = function () { return performance.now(); };
  var send = function (message) { if (control.readyState === 1) control.send(JSON.stringify(message)); };

  // What the page measured, all on its own clock.
  var report = {
    startAt: null, openAt: null, firstByteAt: null, endAt: null, doneAt: null,
    crossOriginIsolated: self.crossOriginIsolated === true,
    events: [], renders: [], text: '', domTextLength: 0,
    longTasks: [], frames: { count: 0, dropped: 0 }, error: null,
  };
  var config = null;
  var ended = false;
  var doneSent = false;

  // Long tasks (> 50 ms of main thread without a break), as Chromium reports them; only those
  // that reach into the stream's time (not the page's own loading or calibration).
  try {
    new PerformanceObserver(function (list) {
      list.getEntries().forEach(function (entry) {
        if (report.startAt !== null && entry.startTime + entry.duration >= report.startAt) report.longTasks.push({ start: entry.startTime, duration: entry.duration });
      });
    }).observe({ type: 'longtask', buffered: true });
  } catch (error) { /* no longtask support: the list stays empty */ }

  // --- decoding -------------------------------------------------------------------------
  var appliedSeqs = new Set();
  var eventIndex = 0;
  function readPath(value, path) {
    for (var i = 0; i < path.length && value !== undefined && value !== null; i++) value = value[path[i]];
    return value;
  }
  // An app decoder's path: keys and indexes, a step with json parses the string found there.
  function resolveSteps(value, steps) {
    for (var i = 0; i < steps.length; i++) {
      if (value === null || typeof value !== 'object') return { found: false };
      value = value[steps[i].key];
      if (value === undefined) return { found: false };
      if (steps[i].json) {
        if (typeof value !== 'string') return { found: false };
        try { value = JSON.parse(value); } catch (error) { return { found: false }; }
      }
    }
    return { found: true, value: value };
  }
  // Target mode's reading of an app's events (src/target/appStream/formats/), in the page.
  function decodeApp(data, decoder, index) {
    if (decoder.doneData !== null && data.trim() === decoder.doneData) return { seq: index, text: '', end: true };
    if (decoder.text === null && decoder.done === null && decoder.when === null) return { seq: index, text: data, end: false };
    var json;
    try { json = JSON.parse(data); } catch (error) { return { seq: index, text: decoder.text === null ? data : '', end: false }; }
    var end = decoder.done !== null && resolveSteps(json, decoder.done).found;
    if (decoder.when !== null) {
      var kind = resolveSteps(json, decoder.when.path);
      if (!kind.found || kind.value !== decoder.when.equals) return { seq: index, text: '', end: end };
    }
    if (decoder.text === null) return { seq: index, text: end ? '' : data, end: end };
    var found = resolveSteps(json, decoder.text);
    return { seq: index, text: found.found && typeof found.value === 'string' ? found.value : '', end: end };
  }
  function decode(data) {
    var decoder = config.decoder;
    var index = eventIndex++;
    if (decoder.kind === 'field') {
      var message = JSON.parse(data);
      if (message.type === 'status') return { seq: message.sequence, text: '', end: true };
      var content = JSON.parse(message.content);
      JSON.parse(message.metadata);
      return { seq: message.sequence, text: content.content, end: false };
    }
    if (decoder.kind === 'flat') {
      var flat = JSON.parse(data);
      return { seq: flat.seq, text: flat.text || '', end: flat.type === 'end' };
    }
    if (decoder.kind === 'raw') {
      var tab = data.indexOf('\t');
      return { seq: Number(data.slice(1, tab)), text: data.slice(tab + 1), end: data[0] === 'e' };
    }
    if (decoder.kind === 'app') return decodeApp(data, decoder, index);
    // textPath: an app's own JSON events; the text sits at a path, a sentinel ends the stream.
    if (decoder.doneData !== null && data === decoder.doneData) return { seq: index, text: '', end: true };
    var text = '';
    try {
      var value = readPath(JSON.parse(data), decoder.path);
      if (typeof value === 'string') text = value;
    } catch (error) { /* not JSON: no text in this event */ }
    return { seq: index, text: text, end: false };
  }

  // --- rendering and paint timing -------------------------------------------------------
  var pendingSeqs = [];
  var awaitingPaint = [];
  var paintFrameRequested = false;
  var renderPending = false; // a timer or frame render is scheduled
  var paintChannel = new MessageChannel();
  var paintBatches = new Map();
  var nextBatch = 0;
  // A message posted during a frame's rAF callbacks is handled after that frame's rendering
  // (style, layout, paint): the time the frame's main-thread work was done.
  paintChannel.port1.onmessage = function (message) {
    var at = now();
    var batch = paintBatches.get(message.data);
    paintBatches.delete(message.data);
    batch.forEach(function (render) { render.paint = at; });
    maybeDone();
  };
  function paintAfterThisFrame() {
    var batch = awaitingPaint;
    awaitingPaint = [];
    if (batch.length === 0) return;
    var id = nextBatch++;
    paintBatches.set(id, batch);
    paintChannel.port2.postMessage(id);
  }
  function requestPaintFrame() {
    if (paintFrameRequested) return;
    paintFrameRequested = true;
    requestAnimationFrame(function () { paintFrameRequested = false; paintAfterThisFrame(); });
  }
  function renderNow(inFrame) {
    var start = now();
    // A library bug on one text (marked 18 throws on a task item holding a blockquote) fails this stream in words, not as a page error.
    try { out.innerHTML = marked.parse(report.text); } catch (error) { return fail("the page's markdown render (marked) threw on the stream's text (" + report.text.length + ' characters): ' + error.message); }
    var end = now();
    var render = { start: start, end: end, paint: null, seqs: pendingSeqs };
    pendingSeqs = [];
    report.renders.push(render);
    awaitingPaint.push(render);
    if (inFrame) paintAfterThisFrame(); else requestPaintFrame();
  }

  var timer = null;
  var lastRenderAt = null;
  function scheduleRender() {
    var render = config.render;
    if (render.strategy === 'every') return renderNow(false);
    if (render.strategy === 'debounce') {
      // The seed's proposal: every event restarts the timer.
      clearTimeout(timer);
      renderPending = true;
      timer = setTimeout(function () { timer = null; renderPending = false; lastRenderAt = now(); renderNow(false); }, render.delayMs);
      return;
    }
    if (render.strategy === 'throttle') {
      if (renderPending) return;
      var t = now();
      if (lastRenderAt === null || t - lastRenderAt >= render.intervalMs) { lastRenderAt = t; return renderNow(false); }
      renderPending = true;
      timer = setTimeout(function () { timer = null; renderPending = false; lastRenderAt = now(); renderNow(false); }, lastRenderAt + render.intervalMs - t);
      return;
    }
    // frame: one render per animation frame, however many events came.
    if (renderPending) return;
    renderPending = true;
    requestAnimationFrame(function () { renderPending = false; renderNow(true); });
  }

  // --- frames ---------------------------------------------------------------------------
  var lastFrameAt = null;
  function countFrame(at) {
    if (doneSent) return;
    report.frames.count++;
    if (lastFrameAt !== null) {
      var gap = at - lastFrameAt;
      // A frame is dropped when the gap spans more than one frame interval (1.5× tolerates jitter).
      if (gap > 1.5 * config.frameMs) report.frames.dropped += Math.round(gap / config.frameMs) - 1;
    }
    lastFrameAt = at;
    requestAnimationFrame(countFrame);
  }

  // --- events ---------------------------------------------------------------------------
  function onData(data) {
    var at = now();
    if (ended) return;
    report.events.push({ at: at, data: data });
    var event;
    try { event = decode(data); } catch (error) { return fail('cannot decode event ' + report.events.length + ': ' + error.message); }
    if (event.end) {
      ended = true;
      report.endAt = at;
      closeStream();
    } else if (!appliedSeqs.has(event.seq)) {
      appliedSeqs.add(event.seq);
      report.text += event.text;
      pendingSeqs.push(event.seq);
    }
    // The end item is not content, but it still triggers the final render.
    scheduleRender();
    var block = config.blockMainThread;
    if (block && report.events.length === block.afterEvents) {
      var until = now() + block.ms;
      while (now() < until) { /* a long task, as a heavy component would make */ }
    }
    maybeDone();
  }
  function onOpen() { if (report.openAt === null) report.openAt = now(); send({ type: 'open' }); }
  function onStreamClosed() {
    // A stream without an end sentinel (an app's own format) ends when its connection closes.
    if (ended) return;
    ended = true;
    report.endAt = now();
    scheduleRender();
    maybeDone();
  }
  function fail(message) {
    if (report.error === null) report.error = message;
    closeStream();
    send({ type: 'failed', message: message });
  }
  function maybeDone() {
    if (doneSent || !ended || renderPending || awaitingPaint.length > 0 || paintBatches.size > 0) return;
    doneSent = true;
    report.doneAt = now();
    report.domTextLength = out.textContent.length;
    send({ type: 'done' });
  }

  var closeStream = function () {};
  function startEventSource() {
    var source = new EventSource(config.url);
    closeStream = function () { source.close(); };
    source.onopen = function () { if (report.firstByteAt === null) report.firstByteAt = now(); onOpen(); };
    source.onmessage = function (message) { onData(message.data); };
    // Named events (an "event:" line) reach only listeners for their name, not onmessage.
    (config.eventNames || []).forEach(function (name) {
      source.addEventListener(name, function (message) { onData(message.data); });
    });
    source.onerror = function () {
      if (ended) return;
      // EventSource would reconnect by itself; the relay ends every stream with an end item.
      source.close();
      if (report.openAt === null) fail('EventSource could not open ' + config.url);
      else if (config.endOnClose) onStreamClosed();
      else fail('EventSource error before the end of the stream');
    };
  }
  function startFetch() {
    var controller = new AbortController();
    closeStream = function () { controller.abort(); };
    fetch(config.url, { method: config.method, headers: config.headers, body: config.body, signal: controller.signal })
      .then(function (response) {
        report.firstByteAt = now();
        if (!response.ok) throw new Error('HTTP ' + response.status);
        onOpen();
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = '';
        var dataLines = [];
        var pump = function () {
          return reader.read().then(function (chunk) {
            if (chunk.done) return onStreamClosed();
            buffer += decoder.decode(chunk.value, { stream: true });
            // text/event-stream: lines end in CRLF, LF or CR; a blank line dispatches the event.
            var lines = buffer.split(/\r\n|\r|\n/);
            buffer = lines.pop();
            for (var i = 0; i < lines.length && !ended; i++) {
              var line = lines[i];
              if (line === '') {
                if (dataLines.length > 0) onData(dataLines.join('\n'));
                dataLines = [];
              } else if (line.slice(0, 5) === 'data:') {
                dataLines.push(line.charAt(5) === ' ' ? line.slice(6) : line.slice(5));
              }
            }
            if (!ended) return pump();
          });
        };
        return pump();
      })
      .catch(function (error) { if (!ended) fail('fetch: ' + error.message); });
  }
  function startWebSocket() {
    var socket = new WebSocket(config.url);
    closeStream = function () { if (socket.readyState <= 1) socket.close(); };
    socket.onopen = function () {
      report.firstByteAt = now();
      onOpen();
      // An app that waits for its request on the socket (target mode) gets it at once.
      if (typeof config.sendOnOpen === 'string') socket.send(config.sendOnOpen);
    };
    socket.onmessage = function (message) {
      if (typeof message.data !== 'string') return fail('binary WebSocket message: the stream sends text');
      onData(message.data);
    };
    socket.onclose = function (close) {
      if (ended) return;
      if (report.openAt === null) fail('WebSocket could not open ' + config.url + ' (code ' + close.code + ')');
      else if (config.endOnClose || close.code === 1000) onStreamClosed();
      else fail('WebSocket closed with code ' + close.code + ' before the end of the stream');
    };
  }

  control.onmessage = function (message) {
    var command = JSON.parse(message.data);
    if (command.type === 'ping') return control.send(JSON.stringify({ type: 'pong', id: command.id, now: now() }));
    if (command.type === 'collect') return send({ type: 'report', report: report });
    if (command.type === 'start') {
      config = command.config;
      report.startAt = now();
      requestAnimationFrame(countFrame);
      try {
        if (config.transport === 'eventsource') startEventSource();
        else if (config.transport === 'fetch') startFetch();
        else startWebSocket();
      } catch (error) { fail(error.message); }
    }
  };
  control.onopen = function () { send({ type: 'ready' }); };
})();
`;
