// The field's relay (DESIGN.md §2), as an app streambench can measure: per upstream delta a
// JSON-in-JSON message, fire-and-forget RPUSH + PUBLISH per chunk, the consumer re-reads
// LRANGE last+1 -1 on every signal and re-serializes every item into bare `data:` SSE frames.
// About 3 Redis commands per token. Run: OPENAI_BASE_URL=http://127.0.0.1:8400/v1 node examples/field-relay.mjs
// Read it with: streambench target --format sse --text-path 'content@json.content' --done-path status
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { readJson, serve, streamCompletion } from './upstream.mjs';

const PREFIX = process.env.KEY_PREFIX ?? 'field-relay:';
const TTL_SECONDS = 600;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const reader = redis.duplicate();

// Producer (a worker in the field): steps 1–4.
async function produce(runId, messages) {
  const key = `${PREFIX}run:${runId}:responses`;
  const push = (message) => {
    // Step 3: serialized a third time, written without waiting (a sequence field because writes may reorder).
    redis.rpush(key, JSON.stringify(message)).catch(() => {});
    redis.publish(`${PREFIX}run:${runId}:new_response`, 'new').catch(() => {});
  };
  let sequence = 0;
  let fullText = '';
  let status = 'completed';
  try {
    for await (const delta of streamCompletion(messages)) {
      // Step 1: the content is a JSON string inside the JSON message.
      const message = {
        sequence: sequence++,
        run_id: runId,
        message_id: randomUUID(),
        type: 'assistant',
        content: JSON.stringify({ role: 'assistant', content: delta }),
        metadata: JSON.stringify({ stream_status: 'chunk', thread_run_id: runId }),
        created_at: new Date().toISOString(),
      };
      // Step 2: the agent loop parses it again and checks the growing text (where the field stops to run a tool).
      fullText += JSON.parse(message.content).content;
      if (fullText.includes('</function_calls>') || fullText.includes('<ask>')) break;
      push(message);
      // The field sets the TTL after the stream; here after the first push, so that a relay killed mid-stream leaves nothing forever.
      if (sequence === 1) redis.expire(key, TTL_SECONDS).catch(() => {});
    }
  } catch (error) {
    status = 'failed';
    console.error(`run ${runId}: ${error.message}`);
  }
  push({ sequence: sequence++, type: 'status', status });
  redis.publish(`${PREFIX}run:${runId}:control`, 'END_STREAM').catch(() => {});
}

// Consumer (the API server, one per browser): steps 5–6.
async function consume(runId, res, started) {
  const key = `${PREFIX}run:${runId}:responses`;
  const subscriber = redis.duplicate();
  let last = -1;
  let finished = false;
  let reading = Promise.resolve();
  const emit = (items) => {
    for (const item of items) {
      last++;
      const message = JSON.parse(item); // loads + dumps per item, as the field does
      res.write(`data: ${JSON.stringify(message)}\n\n`);
      if (message.type === 'status') finished = true;
    }
  };
  const readNew = () => (reading = reading.then(async () => !finished && emit(await reader.lrange(key, last + 1, -1))));
  const done = new Promise((resolve) => {
    subscriber.on('message', (channel) => {
      // One signal per chunk; after the status item, or on the control channel, the stream is over.
      readNew().then(() => (finished || channel.endsWith(':control')) && resolve());
    });
    res.on('close', resolve);
  });
  emit(await reader.lrange(key, 0, -1));
  await subscriber.subscribe(`${PREFIX}run:${runId}:new_response`, `${PREFIX}run:${runId}:control`);
  started();
  if (!finished) await done;
  await reading;
  subscriber.disconnect();
  // Delivered whole: the list is not needed any more (a reader that went away leaves it to its TTL).
  if (finished) await redis.del(key);
  res.end();
}

const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/health') return res.end('ok');
  if (req.method !== 'POST' || req.url !== '/api/chat') return res.writeHead(404).end();
  let body;
  try {
    body = await readJson(req);
  } catch (error) {
    return res.writeHead(400).end(error.message);
  }
  const runId = randomUUID();
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // The worker starts once the consumer listens (in the field, the browser connects right after it starts the run).
  await consume(runId, res, () => produce(runId, body.messages ?? []));
});

serve(server, async () => {
  await Promise.allSettled([redis.quit(), reader.quit()]);
});
