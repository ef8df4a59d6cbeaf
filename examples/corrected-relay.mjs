// The corrected relay: the first delta goes out at once, later ones are collected in timer
// batches (BATCH_MS, 25 ms by default), one EVALSHA per batch appends the batch and publishes
// it; readers subscribe before they catch up with LRANGE (pages until a short read), take later
// batches from the published message, and write stored parts as they are (each part serialized
// once). It speaks the Vercel AI SDK UI message stream with SSE ids; GET /api/chat/:id/stream
// with Last-Event-ID resumes.
// Run: OPENAI_BASE_URL=http://127.0.0.1:8400/v1 PORT=3000 node examples/corrected-relay.mjs (REDIS_URL: default redis://127.0.0.1:6379)
// Read it with: streambench target --format ai-sdk-ui
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { readJson, serve, streamCompletion } from './upstream.mjs';

const PREFIX = process.env.KEY_PREFIX ?? 'corrected-relay:';
const BATCH_MS = Number(process.env.BATCH_MS ?? 25);
const TTL_SECONDS = 600;
const PAGE = 256;
const IDLE_END_MS = 30_000; // a reader with nothing new for this long gives up
const FINISH = JSON.stringify({ type: 'finish' });

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const subscriber = redis.duplicate();
const listeners = new Map(); // channel → function(message)
subscriber.on('message', (channel, message) => listeners.get(channel)?.(message));

// Appends the batch, sets the TTL, and publishes "<index of the first part>\n<part>\n<part>…" (JSON has no raw newlines).
redis.defineCommand('appendBatch', {
  numberOfKeys: 2,
  lua: `local n = redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
if n == #ARGV - 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
redis.call('PUBLISH', KEYS[2], (n - #ARGV + 1) .. '\\n' .. table.concat(ARGV, '\\n', 2))
return n`,
});

const keysOf = (id) => ({ list: `${PREFIX}${id}:parts`, channel: `${PREFIX}${id}:new` });

// Producer: deltas join the pending text; a timer started by the first one flushes the batch as one text-delta part.
async function produce(id, messages) {
  const { list, channel } = keysOf(id);
  let parts = [JSON.stringify({ type: 'start', messageId: id }), JSON.stringify({ type: 'text-start', id: '0' })];
  let text = '';
  let timer = null;
  let writes = Promise.resolve();
  const takeText = () => {
    if (text) parts.push(JSON.stringify({ type: 'text-delta', id: '0', delta: text }));
    text = '';
  };
  const flush = () => {
    clearTimeout(timer);
    timer = null;
    takeText();
    const batch = parts;
    parts = [];
    if (batch.length > 0) writes = writes.then(() => redis.appendBatch(list, channel, TTL_SECONDS, ...batch));
  };
  try {
    let first = true;
    for await (const delta of streamCompletion(messages)) {
      text += delta;
      // The first token goes out at once (time to first token is what users feel); later ones wait for the timer.
      if (first) flush();
      else timer ??= setTimeout(flush, BATCH_MS);
      first = false;
    }
    takeText();
    parts.push(JSON.stringify({ type: 'text-end', id: '0' }));
  } catch (error) {
    takeText();
    parts.push(JSON.stringify({ type: 'error', errorText: error.message }));
  }
  parts.push(FINISH);
  flush();
  await writes;
}

// Reader: subscribe first, then catch up from `from`; published batches fill in after, duplicates skipped by index.
async function relay(id, from, res) {
  const { list, channel } = keysOf(id);
  let next = from;
  let delivered = false; // the finish part was written
  let closed = false; // the client went away: the stream stays resumable
  let wake = () => {};
  const published = [];
  const write = (index, part) => {
    if (index !== next || delivered) return; // already written (caught up and published both)
    res.write(`id: ${index}\ndata: ${part}\n\n`);
    next++;
    delivered = part === FINISH;
  };
  const takeBatch = (message) => {
    const [first, ...parts] = message.split('\n');
    if (Number(first) > next) return false; // a gap: catch up from the list
    parts.forEach((part, i) => write(Number(first) + i, part));
    return true;
  };
  const catchUp = async () => {
    for (;;) {
      const page = await redis.lrange(list, next, next + PAGE - 1);
      for (const part of page) write(next, part);
      if (page.length < PAGE || delivered) return;
    }
  };
  listeners.set(channel, (message) => {
    published.push(message);
    wake(true);
  });
  await subscriber.subscribe(channel);
  res.on('close', () => ((closed = true), wake(true)));
  await catchUp();
  while (!delivered && !closed) {
    const message = published.shift();
    if (message !== undefined) {
      if (!takeBatch(message)) await catchUp();
      continue;
    }
    const woken = await new Promise((resolve) => ((wake = resolve), setTimeout(resolve, IDLE_END_MS, false).unref()));
    if (!woken) break;
  }
  listeners.delete(channel);
  await subscriber.unsubscribe(channel);
  if (delivered) {
    res.write('data: [DONE]\n\n');
    await redis.del(list); // the answer was delivered whole: nothing to resume any more
  }
  res.end();
}

const sseHead = (id) => ({
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-stream-id': id,
});

const server = createServer(async (req, res) => {
  const resume = req.url.match(/^\/api\/chat\/([\w-]+)\/stream$/);
  if (req.method === 'GET' && req.url === '/health') return res.end('ok');
  if (req.method === 'GET' && resume) {
    const [, id] = resume;
    if (!(await redis.exists(keysOf(id).list))) return res.writeHead(404).end('no such stream (finished or expired)');
    const lastEventId = Number(req.headers['last-event-id'] ?? -1);
    res.writeHead(200, sseHead(id));
    return relay(id, lastEventId + 1, res);
  }
  if (req.method !== 'POST' || req.url !== '/api/chat') return res.writeHead(404).end();
  let body;
  try {
    body = await readJson(req);
  } catch (error) {
    return res.writeHead(400).end(error.message);
  }
  const id = randomUUID();
  res.writeHead(200, sseHead(id));
  produce(id, body.messages ?? []).catch((error) => console.error(`stream ${id}: ${error.message}`));
  await relay(id, 0, res);
});

serve(server, async () => {
  await Promise.allSettled([redis.quit(), subscriber.quit()]);
});
