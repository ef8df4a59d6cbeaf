import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aiSdkData } from '../src/target/appStream/formats/aiSdkData.js';
import { interpretByPaths } from '../src/target/appStream/formats/jsonPathFormats.js';
import { escapedFirstBytes, safeUrl } from '../src/target/appStream/messages.js';
import { parseTextPath, resolvePath } from '../src/input/textPath.js';
import { LineSplitter, SseSplitter, type UnitSplitter, type WireUnit } from '../src/target/appStream/wireUnits.js';
import { firstOf } from './helpers/indexed.js';

describe('text paths', () => {
  it('index arrays with numbers and descend into JSON-encoded strings with @json', () => {
    const event = { choices: [{ delta: { content: 'Hi' } }], content: JSON.stringify({ role: 'assistant', content: 'Yo', nested: JSON.stringify({ t: 'deep' }) }) };
    expect(resolvePath(event, parseTextPath('choices.0.delta.content'))).toEqual({ found: true, value: 'Hi' });
    expect(resolvePath(event, parseTextPath('content@json.content'))).toEqual({ found: true, value: 'Yo' });
    expect(resolvePath(event, parseTextPath('content@json.nested@json.t'))).toEqual({ found: true, value: 'deep' });
    expect(resolvePath(event, parseTextPath('choices.1.delta'))).toEqual({ found: false, miss: 'absent' });
    expect(resolvePath({ content: 'not json' }, parseTextPath('content@json.content'))).toEqual({ found: false, miss: 'bad-json' });
  });

  it('reject empty segments', () => {
    expect(() => parseTextPath('a.')).toThrow('path "a.": empty segment');
    expect(() => parseTextPath('@json')).toThrow('empty segment');
  });

  it('read events: text, no text, malformed, end', () => {
    const text = parseTextPath('t');
    const done = parseTextPath('done');
    expect(interpretByPaths('{"t":"a"}', text, done)).toMatchObject({ text: 'a', end: false });
    expect(interpretByPaths('{"other":1}', text, done)).toMatchObject({ text: '', end: false });
    expect(interpretByPaths('{"t":null}', text, done)).toMatchObject({ text: '' });
    expect(interpretByPaths('{"t":{"x":1}}', text, done)).toMatchObject({ text: '', malformed: true });
    expect(interpretByPaths('nope', text, done)).toMatchObject({ text: '', malformed: true });
    expect(interpretByPaths('{"done":true}', text, done)).toMatchObject({ text: '', end: true });
    expect(interpretByPaths('[DONE]', text, done)).toMatchObject({ end: true });
    expect(interpretByPaths('raw text', null, null)).toEqual({ text: 'raw text' });
  });

  it('ai-sdk-data parts', () => {
    const unit = (data: string): WireUnit => ({ data, wireBytes: 0 });
    expect(aiSdkData.interpret(unit('0:"a\\nb"'))).toMatchObject({ text: 'a\nb' });
    expect(aiSdkData.interpret(unit('9:[{"toolCallId":"x"}]'))).toMatchObject({ text: '' });
    expect(aiSdkData.interpret(unit('d:{"finishReason":"stop"}'))).toMatchObject({ end: true });
    expect(aiSdkData.interpret(unit('hello'))).toMatchObject({ malformed: true });
    expect(aiSdkData.interpret(unit('0:not json'))).toMatchObject({ malformed: true });
  });
});

describe('messages', () => {
  it('never show credentials or query values of a URL', () => {
    expect(safeUrl('https://user:pw@app.example:8443/api/chat?key=s3cret#x')).toBe('https://app.example:8443/api/chat?…');
    expect(safeUrl('not a url')).toBe('(an invalid URL)');
  });

  it('escape the first bytes', () => {
    expect(escapedFirstBytes(Buffer.from('a\r\nb\u0000'))).toBe('"a\\r\\nb\\u0000"');
    expect(escapedFirstBytes(Buffer.alloc(0))).toBe('(nothing)');
    expect(escapedFirstBytes(Buffer.from('x'.repeat(300)))).toBe(`"${'x'.repeat(200)}" …`);
  });
});

/** Feeds `body` cut at `cuts` (byte offsets) through a splitter, decoding as a reader does. */
function split(splitter: UnitSplitter, body: Buffer, cuts: number[]): WireUnit[] {
  const decoder = new TextDecoder();
  const units: WireUnit[] = [];
  let from = 0;
  for (const cut of [...cuts, body.length]) {
    const chunk = body.subarray(from, cut);
    units.push(...splitter.feed(decoder.decode(chunk, { stream: true }), chunk.length));
    from = cut;
  }
  units.push(...splitter.end());
  return units;
}

const cutsOf = (length: number) => fc.uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: 12 }).map((cuts) => cuts.sort((a, b) => a - b));

describe('wire units', () => {
  const data = fc.array(
    fc.string({ unit: 'grapheme', maxLength: 12 }).filter((text) => !/[\r\n]/.test(text)),
    { minLength: 1, maxLength: 8 },
  );

  it('SSE: the same events and the same bytes however the body is cut, any line ending', () => {
    fc.assert(
      fc.property(data, fc.constantFrom('\n', '\r\n', '\r'), fc.integer({ min: 0, max: 1000 }), (texts, eol, seed) => {
        const frames = texts.map((text, i) => (i % 3 === 1 ? `: ping${eol}${eol}` : '') + `id: ${i}${eol}data: ${text}${eol}${eol}`);
        const body = Buffer.from(frames.join(''));
        const cuts = firstOf(fc.sample(cutsOf(body.length), { numRuns: 1, seed }), 'cut samples');
        const units = split(new SseSplitter(), body, cuts);
        expect(units.map((unit) => unit.data)).toEqual(texts);
        expect(units.map((unit) => unit.id)).toEqual(texts.map((_, i) => String(i)));
        expect(units.reduce((sum, unit) => sum + unit.wireBytes, 0)).toBe(body.length);
      }),
      { numRuns: 200 },
    );
  });

  it('SSE: a body that is not SSE comes out as one malformed unit', () => {
    const units = split(new SseSplitter(), Buffer.from('{"choices":[]}'), []);
    expect(units).toMatchObject([{ malformedFraming: true, data: '{"choices":[]}' }]);
  });

  it('lines: the same lines however the body is cut; a last line without newline counts', () => {
    fc.assert(
      fc.property(data, fc.integer({ min: 0, max: 1000 }), (texts, seed) => {
        const nonBlank = texts.filter((text) => text.trim() !== '');
        const body = Buffer.from(texts.join('\r\n'));
        const cuts = firstOf(fc.sample(cutsOf(body.length), { numRuns: 1, seed }), 'cut samples');
        const units = split(new LineSplitter(), body, cuts);
        expect(units.map((unit) => unit.data)).toEqual(nonBlank);
        if (nonBlank.length === texts.length || texts.at(-1)!.trim() !== '') {
          expect(units.reduce((sum, unit) => sum + unit.wireBytes, 0)).toBe(body.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});
