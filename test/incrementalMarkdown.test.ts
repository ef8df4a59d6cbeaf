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

/** How lines of a streamed answer begin: list items (nested, ordered, tasks), code, quotes, headings, tables. */
const linePrefix = fc.constantFrom(
  '',
  '',
  '- ',
  '* ',
  '+ ',
  '1. ',
  '2) ',
  '  - ',
  '    - ',
  '  ',
  '   ',
  '    ',
  '\t',
  '> ',
  '- > ',
  '- [ ] ',
  '- [x] ',
  '-',
  '# ',
  '```\n',
  '```js\n',
  '~~~\n',
  '```',
  '  ```',
  '| a | b |\n|---|---|\n',
  '[r]: https://e.x/r\n',
  '[r]:\n',
  '<div>\n',
  '===\n',
  '---\n',
);
/** Words as a tokenizer streams them, and marks that could pair across them. */
const word = fc.constantFrom('word', 'the', 'Ação', 'x', 'é', '**b**', '`c`', '*', '**', '_', '`', '```', '~~~', '[r]', '[a](u)', '<b>', '1.', '-', '|', '#', 'a|b', '[', ']', ':');
/** One line as streamed pieces: its prefix, then each word with its leading space, sometimes split. */
const line = fc.tuple(linePrefix, fc.array(fc.tuple(word, fc.boolean(), fc.boolean()), { maxLength: 8 })).map(([prefix, words]) => [
  prefix,
  ...words.flatMap(([text, leadingSpace, split]) => {
    const piece = (leadingSpace ? ' ' : '') + text;
    return split && piece.length > 1 ? [piece.slice(0, 1), piece.slice(1)] : [piece];
  }),
]);
/** A streamed answer: lines separated by a line break or a blank line, as a list of streamed pieces. */
const streamedAnswer = fc
  .array(fc.tuple(line, fc.constantFrom('\n', '\n', '\n\n', ' \n', '\n  ')), { maxLength: 14 })
  .map((lines) => lines.flatMap(([pieces, separator]) => [...pieces, separator]));

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

/**
 * Whether marked lexes `text` without throwing. marked 18 throws on some texts (e.g. "- [x] \n  > *\nword":
 * its blockquote tokenizer inside a task item); those say nothing about incremental lexing.
 */
function markedLexes(text: string): boolean {
  try {
    lexer(text);
    return true;
  } catch {
    return false;
  }
}

/** marked's tokens without the `links` property the list carries. */
const full = (text: string) => [...lexer(text)];
const plain = (tokens: unknown) => JSON.parse(JSON.stringify(tokens));

describe('incremental markdown lexing', () => {
  it('gives the block tokens marked gives the whole text, for random markdown split at random points', () => {
    fc.assert(
      fc.property(markdown, fc.array(fc.nat(400), { maxLength: 40 }), (text, cuts) => {
        fc.pre([...cuts, text.length].every((cut) => markedLexes(text.slice(0, cut))));
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

  it('gives the block tokens marked gives the whole text, for streamed answers lexed after every piece', () => {
    fc.assert(
      fc.property(streamedAnswer, fc.nat(20), (pieces, dropLast) => {
        const streamed = pieces.slice(0, Math.max(0, pieces.length - dropLast));
        fc.pre(streamed.every((_, index) => markedLexes(streamed.slice(0, index + 1).join(''))));
        const state = new IncrementalMarkdown();
        for (const piece of streamed) {
          state.append(piece);
          state.lex();
        }
        expect(plain(state.tokens())).toEqual(plain(full(streamed.join(''))));
      }),
      { numRuns: 3000 },
    );
  });

  /** Streams where a wrong boundary or fast path shows (each was a failure, or one the code guards against). */
  const regressions: string[][] = [
    // A list goes on past a blank line: it must not be settled before the item after it.
    ['- a', '\n\n', '-', ' b'],
    ['- a', '\n\n', '  b', ' c'],
    // The trailing blanks marked trims off a list are a space token, not a blank line.
    ['', 'word', '\n', '2) ', '\n', '  - ', ' ', 'word', '\n'],
    // A blank line that gets text can be a definition's URL.
    ['[r]:\n', ' ', 'word'],
    // A definition in settled text applies to later references.
    ['[r]: https://e.x/r', '\n\n', 'para', '\n\n', 'more', ' [r]', ' end'],
    // A code line that can still become the closing fence.
    ['```\n', 'x', '\n', '  ', '`', '``', '\n', 'after'],
    // A list item's text with trailing blanks (trimmed by marked), then text.
    ['- a', ' ', 'b'],
    // Tasks: the checkbox is taken out of the item's text.
    ['- [ ] ', 'a', ' b', '\n', '- [x] ', 'c', ' d'],
    // Bold lead-ins (lines starting with `**` and a letter or digit grow in place); asterisks that are not one.
    ['1. **', 'Partial', ' buffer', '**:', ' Measure', ' the', '\n', '2. **', '3', ' ms', '**', ' x'],
    ['**', 'Bold', ' lead', '**', ' text', '\n', '**', '*', ' z', '\n\n', '**', ' *', ' *'],
    ['- a', '\n', '  **', 'b', ' c', '\n', '**', '-', '-', ' d'],
    // A backtick inside an emphasis is not settled: a later one makes "`_, word `" a code span, and no emphasis.
    [...'_`_, word `c` '],
    // Likewise a bracket inside an emphasis: a later "](u)" makes a link of it.
    [...'_[_ x y](u)'],
    // The same in a bold lead-in: "**a`**" holds a backtick that a later one pairs with.
    ['**a', '`', '**', ' x', ' !', '`', '\n'],
    // A definition's label can span lines: a letter line can still end one, in a paragraph or a list item.
    ['', '[', '\n', '', 'x', ']', ':', '_'],
    ['- [', '\n', '  x', ']', ':', 'u'],
    ['- a\n\n  [', '\n', '  x', ']', ':', 'u'],
  ];
  it.each(regressions.map((pieces) => [JSON.stringify(pieces.join('')), pieces] as const))("gives marked's tokens for %s streamed piece by piece", (_name, pieces) => {
    const state = new IncrementalMarkdown();
    for (const piece of pieces) {
      state.append(piece);
      state.lex();
    }
    expect(plain(state.tokens())).toEqual(plain(full(pieces.join(''))));
  });

  it('lexes only the open item of a growing list, and nothing of a growing fenced code line', () => {
    const state = new IncrementalMarkdown();
    let text = '';
    const add = (piece: string) => {
      text += piece;
      state.append(piece);
      state.lex();
    };
    for (let item = 0; item < 50; item++) {
      add('- first');
      for (let index = 0; index < 20; index++) add(' word');
      add('\n');
    }
    add('- last');
    add(' word');
    // Only the last item's text is lexed: its inline tokens.
    expect(state.lastLexedChars).toBe('last word'.length);
    add('\n\n```js\nconst');
    add(' x');
    expect(state.lastLexedChars).toBe(0);
    expect(plain(state.tokens())).toEqual(plain(full(text)));
  });

  it('lexes only the open item of a list whose items start in bold, as streamed answers write them', () => {
    const state = new IncrementalMarkdown();
    let text = '';
    const add = (piece: string) => {
      text += piece;
      state.append(piece);
      state.lex();
    };
    for (let item = 1; item <= 20; item++) {
      for (const piece of [`${item}.`, ' **', 'Lead', ' in', '**:', ' some', ' words']) add(piece);
      add('\n');
    }
    for (const piece of ['21.', ' **', 'Last', ' one', '**:', ' word']) add(piece);
    // Only the last item's text is lexed.
    expect(state.lastLexedChars).toBe('**Last one**: word'.length);
    expect(plain(state.tokens())).toEqual(plain(full(text)));
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
