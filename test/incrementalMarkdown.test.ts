import fc from 'fast-check';
import { lexer } from 'marked';
import { describe, expect, it } from 'vitest';
import { IncrementalMarkdown } from '../src/pipeline/client/incrementalMarkdown.js';

/** Pieces of markdown that streamed answers contain: words, inline marks, lines of block constructs. */
const piece = fc.constantFrom(
  'word ',
  'the ',
  'answer',
  ' is',
  ', ',
  '. ',
  '!',
  'x',
  '  ',
  ' ',
  '*',
  '**',
  '_',
  '~~',
  '`',
  '``',
  '[',
  ']',
  '(',
  ')',
  '<',
  '>',
  '\\',
  '&amp;',
  '@',
  ':',
  'www.a.b ',
  'https://e.x/p ',
  '*em* ',
  '**strong** ',
  '`code` ',
  '[link](https://e.x) ',
  '[ref] ',
  '<b>',
  '</b>',
  '\n',
  '\n\n',
  '\n\n\n',
  '# ',
  '## Title\n',
  '- ',
  '* ',
  '1. ',
  '2) ',
  '> ',
  '    ',
  '\t',
  '```\n',
  '```js\n',
  '~~~\n',
  '---\n',
  '***\n',
  '===\n',
  '| a | b |\n|---|---|\n',
  '| c | d |\n',
  '[ref]: https://e.x/r\n',
  '<div>\n',
  '</div>\n',
  '<!-- c -->\n',
);
const markdown = fc.array(piece, { maxLength: 60 }).map((pieces) => pieces.join(''));
/** One long line with no line break: words and inline marks only. */
const oneLine = fc
  .array(fc.constantFrom('word ', 'the ', 'answer', ', ', '. ', '*em* ', '**b** ', '`c` ', '*', '_', '`', '[a](u) ', 'x'), { maxLength: 80 })
  .map((pieces) => pieces.join(''));

/** Lexes `text` incrementally in the chunks `cuts` makes, lexing after every chunk (as the client renders). */
function incremental(text: string, cuts: number[]): unknown[] {
  const markdownState = new IncrementalMarkdown();
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const end = Math.min(text.length, cut);
    if (end <= at) continue;
    markdownState.append(text.slice(at, end));
    markdownState.lex();
    at = end;
  }
  markdownState.append(text.slice(at));
  return markdownState.tokens();
}

/** marked's tokens without the `links` property the list carries. */
const full = (text: string) => [...lexer(text)];
const plain = (tokens: unknown) => JSON.parse(JSON.stringify(tokens));

describe('incremental markdown lexing', () => {
  it('gives the block tokens marked gives the whole text, for random markdown split at random points', () => {
    fc.assert(
      fc.property(markdown, fc.array(fc.nat(400), { maxLength: 40 }), (text, cuts) => {
        expect(plain(incremental(text, cuts))).toEqual(plain(full(text)));
      }),
      { numRuns: 1500 },
    );
  });

  it('the same for one long line without a line break, split into single characters', () => {
    fc.assert(
      fc.property(oneLine, (text) => {
        expect(
          plain(
            incremental(
              text,
              [...text].map((_, index) => index + 1),
            ),
          ),
        ).toEqual(plain(full(text)));
      }),
      { numRuns: 300 },
    );
  });

  it('lexes only the open word of a growing paragraph, not the whole paragraph', () => {
    const state = new IncrementalMarkdown();
    for (let index = 0; index < 2000; index++) {
      state.append('word ');
      state.lex();
    }
    state.append('tail');
    state.lex();
    // The open part is the last word and what followed it: "word tail".
    expect(state.lastLexedChars).toBe('word tail'.length);
    expect(plain(state.tokens())).toEqual(plain(full(`${'word '.repeat(2000)}tail`)));
  });
});
