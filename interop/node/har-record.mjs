// Records a HAR of real Socket.IO sessions with Playwright's recordHar
// (playwright-core, driving the Chromium at --chromium), for the HAR import
// test of inspector/har (cmd/workbook/har_browser_test.go).
//
// Usage:
//
//   node har-record.mjs --url http://127.0.0.1:N --har OUT.har
//        [--devtools-har OUT2.har] [--chromium /usr/bin/chromium]
//
// With --devtools-har, the same sessions are also written as DevTools'
// "Save all as HAR with content" writes them, built from the DevTools
// protocol's Network events (devtools-har.mjs): headless Chromium has no
// DevTools window to save from.
//
// The page is served at <url>/har-page by Playwright itself (page.route),
// so it shares the server's origin; it loads the official socket.io-client
// bundle and, for each of three sessions (polling then upgraded to
// WebSocket, WebSocket only, polling only), connects, waits for the
// server's "auth" and for the upgrade where there is one, calls "echo" with text (an emoji
// included) and "message-with-ack" with binary, each awaited, then
// asks the server to close the session ("server-close"). The server must implement the fixture contract
// (fixture-server.mjs). Prints `SID <transports> <engine id>` for each
// session, then `DONE` once the HAR is written.
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DevToolsHAR } from './devtools-har.mjs';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    har: { type: 'string' },
    'devtools-har': { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!values.url || !values.har) {
  console.error('usage: node har-record.mjs --url URL --har OUT.har [--chromium PATH]');
  process.exit(2);
}
const bundle = fileURLToPath(new URL('node_modules/socket.io-client/dist/socket.io.min.js', import.meta.url));

const browser = await chromium.launch({
  executablePath: values.chromium,
  // A page that Playwright serves itself has no address of its own, and
  // Chromium's Local Network Access checks then refuse its WebSocket to
  // the loopback server.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
    '--disable-features=LocalNetworkAccessChecks'],
});
try {
  const context = await browser.newContext({ recordHar: { path: values.har, content: 'embed' } });
  const page = await context.newPage();
  const devtools = values['devtools-har'] ? await DevToolsHAR.attach(await context.newCDPSession(page)) : null;
  page.on('console', (m) => console.error('console:', m.text()));
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await page.route(values.url + '/har-page', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>har</title>' }));
  await page.goto(values.url + '/har-page');
  await page.addScriptTag({ path: bundle });
  const runs = [
    { name: 'polling,websocket', opts: { transports: ['polling', 'websocket'] }, upgrade: true },
    { name: 'websocket', opts: { transports: ['websocket'] }, upgrade: false },
    { name: 'polling', opts: { transports: ['polling'], upgrade: false }, upgrade: false },
  ];
  for (const run of runs) {
    const sid = await page.evaluate(async ({ url, run }) => {
      const socket = io(url, { ...run.opts, forceNew: true, reconnection: false });
      // The server's "auth" follows its CONNECT: waiting for it keeps every
      // message of the session in answer to the one before, so that none
      // crosses another on the wire and both ends see one order.
      await new Promise((resolve, reject) => {
        socket.on('auth', resolve);
        socket.on('connect_error', reject);
      });
      if (run.upgrade && socket.io.engine.transport.name !== 'websocket') {
        await new Promise((resolve, reject) => {
          socket.io.engine.once('upgrade', resolve);
          socket.io.engine.once('upgradeError', reject);
          setTimeout(() => reject(new Error('no upgrade in 20 s')), 20000);
        });
      }
      const sid = socket.io.engine.id;
      const echoed = await socket.timeout(20000).emitWithAck('echo', 'héllo 😀');
      if (echoed !== 'héllo 😀') throw new Error('echo: ' + echoed);
      const back = await new Promise((resolve) =>
        socket.emit('message-with-ack', 'bin', new Uint8Array([1, 2, 3]), (...args) => resolve(args)));
      if (!(back[1] instanceof ArrayBuffer) || back[1].byteLength !== 3) throw new Error('binary ack: ' + JSON.stringify(back));
      // The server ends the session: its last packets come in answer to a
      // request, where the client's own goodbye would abort the pending
      // GET, and what the server wrote on it would be in no HAR.
      await new Promise((resolve) => {
        socket.on('disconnect', resolve);
        socket.emit('server-close');
      });
      return sid;
    }, { url: values.url, run });
    console.log(`SID ${run.name} ${sid}`);
  }
  if (devtools) {
    const ua = await page.evaluate(() => navigator.userAgent);
    writeFileSync(values['devtools-har'], JSON.stringify(await devtools.har(ua), null, 2));
  }
  await context.close(); // writes the HAR
  console.log('DONE');
} finally {
  await browser.close();
}
