import { describe, expect, it } from 'vitest';
import { targetUrlProblems } from '../src/scenario/targetUrl.js';

const messages = (target: { url: string; format: string; app?: unknown }) => targetUrlProblems(target).map((problem) => `${problem.path.join('.')}: ${problem.message}`);

describe('a target URL, checked before anything starts', () => {
  it('accepts a whole URL with the scheme its format reads, and templates where they can be filled', () => {
    expect(messages({ url: 'http://127.0.0.1:3000/api/chat', format: 'ai-sdk-ui' })).toEqual([]);
    expect(messages({ url: 'https://app.example/api/chat', format: 'openai-sse' })).toEqual([]);
    expect(messages({ url: 'wss://app.example/ws', format: 'websocket' })).toEqual([]);
    expect(messages({ url: 'http://127.0.0.1:{appPort}/api/chat', format: 'sse', app: { command: 'node app.js' } })).toEqual([]);
    expect(messages({ url: '{upstreamUrl}/v1/chat/completions', format: 'openai-sse' })).toEqual([]);
  });

  it('refuses a URL without its scheme, naming the field and showing a whole one', () => {
    for (const url of ['127.0.0.1:3071/api/chat', 'localhost:3000/api/chat', '/api/chat'])
      expect(messages({ url, format: 'ai-sdk-ui' })).toEqual([`url: "${url}" is not a whole URL: write the scheme and host too, e.g. http://127.0.0.1:3000/api/chat`]);
  });

  it('refuses a scheme streambench does not read, saying so rather than that the URL is partial', () => {
    expect(messages({ url: 'ftp://127.0.0.1/x', format: 'text' })).toEqual([
      'url: "ftp://127.0.0.1/x" uses ftp://, which streambench does not read: use http:// or https:// (ws:// or wss:// with format websocket)',
    ]);
  });

  it('refuses a scheme the format does not read', () => {
    expect(messages({ url: 'ws://127.0.0.1:3000/x', format: 'ai-sdk-ui' })).toEqual([
      "url: format ai-sdk-ui reads an http:// or https:// URL, not ws://: change the URL's scheme, or use format websocket for a ws:// endpoint",
    ]);
    expect(messages({ url: 'http://127.0.0.1:3000/x', format: 'websocket' })).toEqual([
      "url: format websocket reads a ws:// or wss:// URL, not http://: change the URL's scheme, or the format",
    ]);
  });

  it('refuses {appPort} where streambench starts no app (it was filled with nothing)', () => {
    expect(messages({ url: 'http://127.0.0.1:{appPort}/api/chat', format: 'ai-sdk-ui' })).toEqual([
      "url: {appPort} is the port of an app streambench starts: give app.command (--app-command), or write your app's port in the URL (e.g. http://127.0.0.1:3000/api/chat)",
    ]);
  });
});
