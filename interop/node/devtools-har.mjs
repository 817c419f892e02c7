// devtools-har.mjs builds a HAR from the DevTools protocol's Network events
// the way Chrome DevTools' "Save all as HAR with content" writes one (its
// HAR writer, front_end/models/har in devtools-frontend): log.creator
// "WebInspector"; entries sorted by issue time; startedDateTime the request's
// wall time; WebSocket entries with _resourceType "websocket" and
// _webSocketMessages {type "send"|"receive", time in epoch seconds, opcode,
// data} where a binary frame's data is the protocol's base64; response
// bodies from Network.getResponseBody, written base64 (encoding "base64")
// when the protocol gave base64 or when the text holds a character DevTools
// will not write as is (a surrogate, as in an emoji, or a non-character).
//
// Usage, with a CDP session (Playwright's context.newCDPSession(page)):
//
//   const rec = await DevToolsHAR.attach(cdp);
//   ... drive the page ...
//   const har = await rec.har(userAgent);
//
// Only what the importers read is filled with care: headers, bodies, times
// and frames. Timings are coarse (send 0, wait to the response, receive to
// the end), as DevTools writes them for a request with no detailed timing.
export class DevToolsHAR {
  static async attach(cdp) {
    const rec = new DevToolsHAR(cdp);
    await cdp.send('Network.enable', { maxPostDataSize: 1 << 20 });
    return rec;
  }

  constructor(cdp) {
    this.cdp = cdp;
    this.requests = new Map(); // requestId -> what the events told
    this.bodies = []; // pending getResponseBody calls
    const req = (id) => {
      let r = this.requests.get(id);
      if (!r) {
        r = { id, frames: [], type: 'Other' };
        this.requests.set(id, r);
      }
      return r;
    };
    cdp.on('Network.requestWillBeSent', (e) => {
      const r = req(e.requestId);
      Object.assign(r, { request: e.request, wallTime: e.wallTime, issued: e.timestamp, type: e.type || r.type, initiator: e.initiator });
    });
    cdp.on('Network.responseReceived', (e) => {
      const r = req(e.requestId);
      r.response = e.response;
      r.responded = e.timestamp;
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = req(e.requestId);
      r.ended = e.timestamp;
      r.encodedLength = e.encodedDataLength;
      // Asked at once: the browser forgets bodies.
      this.bodies.push(cdp.send('Network.getResponseBody', { requestId: e.requestId })
        .then((b) => { r.body = b; }, () => {}));
    });
    cdp.on('Network.loadingFailed', (e) => {
      const r = req(e.requestId);
      r.ended = e.timestamp;
      r.error = e.errorText;
    });
    cdp.on('Network.webSocketCreated', (e) => {
      const r = req(e.requestId);
      r.type = 'WebSocket';
      r.url = e.url;
      r.initiator = e.initiator;
    });
    cdp.on('Network.webSocketWillSendHandshakeRequest', (e) => {
      const r = req(e.requestId);
      Object.assign(r, { wallTime: e.wallTime, issued: e.timestamp, wsRequest: e.request });
    });
    cdp.on('Network.webSocketHandshakeResponseReceived', (e) => {
      const r = req(e.requestId);
      r.wsResponse = e.response;
      r.responded = e.timestamp;
    });
    const frame = (type) => (e) => {
      const r = req(e.requestId);
      r.frames.push({ type, at: e.timestamp, opcode: e.response.opcode, data: e.response.payloadData });
    };
    cdp.on('Network.webSocketFrameSent', frame('send'));
    cdp.on('Network.webSocketFrameReceived', frame('receive'));
    cdp.on('Network.webSocketClosed', (e) => { req(e.requestId).ended = e.timestamp; });
  }

  // wall is the epoch seconds of monotonic time t for request r, as
  // DevTools' pseudo wall time: the request's wall time plus the time since.
  static wall(r, t) {
    return r.wallTime + (t - r.issued);
  }

  async har(userAgent) {
    await Promise.all(this.bodies);
    const webkit = /AppleWebKit\/([^ ]+)/.exec(userAgent || '');
    const entries = [...this.requests.values()]
      .filter((r) => r.issued !== undefined && r.wallTime !== undefined)
      .sort((a, b) => a.issued - b.issued)
      .map((r) => DevToolsHAR.entry(r));
    return { log: { version: '1.2', creator: { name: 'WebInspector', version: webkit ? webkit[1] : 'n/a' }, pages: [], entries } };
  }

  static headers(h) {
    return Object.entries(h || {}).flatMap(([name, v]) => String(v).split('\n').map((value) => ({ name, value })));
  }

  static entry(r) {
    const ws = r.type === 'WebSocket';
    const url = ws ? r.url : r.request.url;
    const resp = ws ? r.wsResponse : r.response;
    const end = r.ended ?? r.responded ?? r.issued;
    const wait = r.responded !== undefined ? (r.responded - r.issued) * 1000 : 0;
    const receive = r.responded !== undefined ? Math.max((end - r.responded) * 1000, 0) : 0;
    const timings = { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait, receive, _blocked_queueing: -1 };
    const u = new URL(url);
    const request = {
      method: ws ? 'GET' : r.request.method,
      url: url.split('#')[0],
      httpVersion: (resp && resp.protocol) || 'http/1.1',
      headers: DevToolsHAR.headers(ws ? r.wsRequest && r.wsRequest.headers : r.request.headers),
      queryString: [...u.searchParams].map(([name, value]) => ({ name, value })),
      cookies: [],
      headersSize: -1,
      bodySize: 0,
    };
    const post = !ws && r.request.postData !== undefined ? r.request.postData
      : !ws && r.request.postDataEntries ? r.request.postDataEntries.map((p) => Buffer.from(p.bytes || '', 'base64').toString()).join('') : undefined;
    if (post !== undefined) {
      request.postData = { mimeType: (r.request.headers && (r.request.headers['Content-Type'] || r.request.headers['content-type'])) || '', text: post };
      request.bodySize = Buffer.byteLength(post);
    }
    const content = { size: 0, mimeType: (resp && resp.mimeType) || 'x-unknown' };
    if (r.body) {
      let text = r.body.body;
      let encoded = r.body.base64Encoded;
      if (!encoded && DevToolsHAR.needsBase64(text)) {
        text = Buffer.from(text, 'utf8').toString('base64');
        encoded = true;
      }
      content.text = text;
      content.size = encoded ? Buffer.from(text, 'base64').length : Buffer.byteLength(text);
      if (encoded) content.encoding = 'base64';
    }
    const entry = {
      _initiator: r.initiator ? { type: r.initiator.type } : null,
      _priority: (r.request && r.request.initialPriority) || null,
      _resourceType: ws ? 'websocket' : (r.type || 'Other').toLowerCase(),
      cache: {},
      request,
      response: {
        status: resp ? resp.status : 0,
        statusText: resp ? resp.statusText : '',
        httpVersion: (resp && resp.protocol) || 'http/1.1',
        headers: DevToolsHAR.headers(resp && resp.headers),
        cookies: [],
        content,
        redirectURL: '',
        headersSize: -1,
        bodySize: r.encodedLength ?? -1,
        _transferSize: r.encodedLength ?? 0,
        _error: r.error ?? null,
      },
      serverIPAddress: (resp && resp.remoteIPAddress) || '',
      startedDateTime: new Date(r.wallTime * 1000).toJSON(),
      time: Math.max(wait, 0) + receive,
      timings,
    };
    if (resp && resp.remotePort) entry.connection = String(resp.remotePort);
    if (ws) {
      entry._webSocketMessages = r.frames.map((f) => ({ type: f.type, time: DevToolsHAR.wall(r, f.at), opcode: f.opcode, data: f.data }));
    }
    return entry;
  }

  // needsBase64: DevTools writes a body base64 when a UTF-16 unit of it is
  // a surrogate (any character past U+FFFF, an emoji) or a non-character.
  static needsBase64(s) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const ok = c < 0xd800 || (c >= 0xe000 && c < 0xfdd0) || (c > 0xfdef && (c & 0xfffe) !== 0xfffe);
      if (!ok) return true;
    }
    return false;
  }
}
