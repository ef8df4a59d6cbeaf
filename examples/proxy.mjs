// A pass-through HTTP proxy for a model endpoint or an app, to see what a proxy does to a stream:
//   node examples/proxy.mjs                 stream each chunk through as it comes (the default)
//   node examples/proxy.mjs --buffer        hold the whole answer, then send it (what a buffering gateway does)
//   node examples/proxy.mjs --delay-ms 5    send each chunk 5 ms after it arrived
// TARGET_URL is where requests go (e.g. http://127.0.0.1:8400 for streambench's upstream; started by
// `streambench target --app-command`, it defaults to the upstream, STREAMBENCH_UPSTREAM_URL), PORT where it listens.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { serve } from './upstream.mjs';

const { values: options } = parseArgs({ options: { buffer: { type: 'boolean', default: false }, 'delay-ms': { type: 'string', default: '0' } } });
const delayMs = Number(options['delay-ms']);
const targetUrl = process.env.TARGET_URL ?? process.env.STREAMBENCH_UPSTREAM_URL;
if (!targetUrl) throw new Error('set TARGET_URL to the origin to forward to, e.g. http://127.0.0.1:8400');
if (!Number.isFinite(delayMs) || delayMs < 0) throw new Error(`--delay-ms must be a number ≥ 0, got ${options['delay-ms']}`);
const target = new URL(targetUrl);
// Headers that belong to one connection, not to the request or answer.
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection']);
const endToEnd = (headers) => Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/health') return res.end('ok');
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  try {
    const upstream = await request(new URL(req.url, target), {
      method: req.method,
      headers: endToEnd(req.headers),
      body: ['GET', 'HEAD'].includes(req.method) ? undefined : req,
      signal: controller.signal,
    });
    const headers = endToEnd(upstream.headers);
    if (options.buffer) {
      const body = Buffer.from(await upstream.body.arrayBuffer());
      return res.writeHead(upstream.statusCode, { ...headers, 'content-length': body.length }).end(body);
    }
    res.writeHead(upstream.statusCode, headers);
    res.flushHeaders();
    if (delayMs === 0) {
      for await (const chunk of upstream.body) res.write(chunk);
    } else {
      // Each chunk leaves delayMs after it arrived, in order; reading goes on meanwhile.
      let sent = Promise.resolve();
      for await (const chunk of upstream.body) sent = Promise.all([sent, sleep(delayMs)]).then(() => res.write(chunk));
      await sent;
    }
    res.end();
  } catch (error) {
    if (!res.headersSent) res.writeHead(502).end(`proxy: ${error.message}`);
    else res.destroy();
  }
});

serve(server);
