// The part every example relay shares: stream a chat completion from the model endpoint.
// OPENAI_BASE_URL is the endpoint including /v1 (streambench's upstream, the mock server, or a provider).
import { createParser } from 'eventsource-parser';
import { request } from 'undici';

const BASE_URL = (process.env.OPENAI_BASE_URL ?? 'http://127.0.0.1:8400/v1').replace(/\/$/, '');
const MODEL = process.env.OPENAI_MODEL ?? 'gpt-4o-mini';
// Real apps add a system prompt, so the model sees more than the user's messages.
export const SYSTEM_PROMPT = 'You are a helpful assistant. Answer in plain prose.';

/** Yields the content deltas of a streamed chat completion for `messages`. */
export async function* streamCompletion(messages, signal) {
  const headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (process.env.OPENAI_API_KEY) headers.authorization = `Bearer ${process.env.OPENAI_API_KEY}`;
  const response = await request(`${BASE_URL}/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'system', content: SYSTEM_PROMPT }, ...messages] }),
    signal,
  });
  if (response.statusCode !== 200) {
    const text = await response.body.text();
    throw new Error(`model endpoint answered ${response.statusCode}: ${text.slice(0, 200)}`);
  }
  const deltas = [];
  let done = false;
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') done = true;
      else deltas.push(JSON.parse(event.data).choices?.[0]?.delta?.content ?? '');
    },
  });
  for await (const chunk of response.body) {
    parser.feed(chunk.toString('utf8'));
    for (const delta of deltas.splice(0)) if (delta) yield delta;
    if (done) return;
  }
}

/** Reads a JSON request body (up to 1 MB). */
export async function readJson(req) {
  let body = '';
  for await (const part of req) {
    body += part;
    if (body.length > 1_000_000) throw new Error('request body over 1 MB');
  }
  return JSON.parse(body);
}

/** Listens on PORT (0: any free port) on loopback, prints the one ready line, and stops cleanly on SIGTERM/SIGINT. */
export function serve(server, onStop) {
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${server.address().port}`);
  });
  const stop = async () => {
    server.close();
    server.closeAllConnections();
    await onStop?.();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
