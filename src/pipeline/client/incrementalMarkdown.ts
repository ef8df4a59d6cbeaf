/**
 * Incremental markdown lexing for a text that only grows (a streamed answer): each `lex()`
 * costs about what was appended since the last, not the whole text, and `tokens()` equals
 * marked's `lexer(text)` for the same text (a property test checks it on random markdown split
 * at random points).
 *
 * Two levels of settled work are kept:
 * - Block tokens before the last stable block boundary: a blank line (a `space` token holding a
 *   whole blank line, not just the blanks marked trims off a list's last line) followed by at
 *   least two more block tokens, so the block after it is complete and nothing appended can
 *   reach back over it (a list or indented code that continued would be one token) — or by
 *   one, when the block before it cannot go on past a blank line (paragraph, heading, rule,
 *   closed fenced code).
 * - In the open last paragraph, the inline tokens before the last stable inline boundary: a
 *   space inside a plain text token, followed by a known non-space character, with no
 *   unmatched delimiter (`*`, `_`, `~`, a backtick, `[`, `]`, `<`) left in text before it,
 *   also not inside an emphasis or link (a backtick there can still open a code span) —
 *   nothing appended can then pair with anything before the boundary.
 * While only text without a line break is appended to a paragraph's last line that starts with
 * a letter, the block structure cannot change (no rule turns such a line into anything but
 * paragraph text until a line break comes): only the paragraph's open inline part is lexed.
 * Likewise, while only such text is appended to the last line of a list whose innermost last
 * item ends in paragraph text on a line starting with a letter (no bullet, fence, heading,
 * HTML, quote or rule starts with one), the lists and items only grow: only that item's
 * inline text is lexed; and to a line of an open fenced code block that can no longer become
 * its closing fence, nothing is lexed. The line must have had its letter (or first character)
 * before the append, and the text must end in a non-space before and after it (marked trims a
 * list's trailing blanks); and the paragraph or item text must not start with `[` (a link
 * definition's label can span lines, so "[\nx]" becomes one when ":" and a URL follow).
 * A new link reference definition applies to the whole text: then everything is lexed again.
 */
import { Lexer, type Token, type Tokens } from 'marked';

/** Characters that, unmatched in a text token, could still pair with text appended later. */
const UNMATCHED_DELIMITER = /[*_~`[\]<]/;
/**
 * A paragraph line whose block role no appended (line-break-free) text can change: it starts
 * with a letter, or with `**` and a letter or digit (a bold lead-in, as list items of streamed
 * answers often start: no block begins with two asterisks and then a letter — a bullet needs a
 * blank after its `*`, a rule holds nothing but `*` and blanks).
 */
const LETTER_LINE = /^ {0,3}(?:\p{L}|\*\*[\p{L}\p{N}])/u;
/** A line (inside a list item's text) whose first non-blank character is a letter, or that starts with `**` and a letter or digit (see LETTER_LINE). */
const LETTER_START = /^[ \t]*(?:\p{L}|\*\*[\p{L}\p{N}])/u;
/** A block that can still become a link definition, whose label (from `[`) can span lines. */
const DEFINITION_START = /^\s*\[/;
/** A fenced code block opened at the start of its line (its text is its content, no indentation taken off). */
const OPEN_FENCE = /^(?:```|~~~)/;
/**
 * The first four characters of a code line that cannot become a closing fence whatever is
 * appended: a non-space that is not a fence character within the first four, or four spaces.
 */
const NOT_A_FENCE_LINE = /^(?: {0,3}[^ `~]| {4})/;

/** The inline state of the open paragraph: tokens of its settled prefix and its open rest. */
interface OpenParagraph {
  /** The paragraph's token in the tail's block tokens (its raw and text grow in place). */
  token: Tokens.Paragraph;
  /** Length of the paragraph text whose inline tokens are settled. */
  settledLength: number;
  settledTokens: Token[];
  /** The paragraph text after the settled part, and its tokens. */
  openText: string;
  openTokens: Token[];
  /** Whether the paragraph starts with `[`: a link definition's label can span its lines, so a letter line can still end one. */
  mayBeDefinition: boolean;
}

/** Lexes a growing markdown text incrementally; see the file comment. */
export class IncrementalMarkdown {
  // The text is kept as its settled part and the tail, each a rope V8 only flattens when read
  // (a render that read the whole text would copy it every time); the whole text is their sum,
  // joined when asked for, not appended to per token as well.
  /** The text before `settledEnd`. */
  private settledText = '';
  /** The text after `settledEnd`, kept apart so a tail lex never slices (flattens) the whole text. */
  private tailText = '';
  private length = 0;
  /** Text appended since the last `lex()`. */
  private pending = '';
  /** Where the last line starts, and its first characters (what decides its block role). */
  private lastLineStart = 0;
  private lastLineHead = '';
  /** Offset where the block tokens of `settledBlocks` end. */
  private settledEnd = 0;
  private settledBlocks: Token[] = [];
  /** Block tokens of the text after `settledEnd`, as of the last `lex()`. */
  private tailBlocks: Token[] = [];
  /** Every link definition of the text (as of the last `lex()`), and those in the settled blocks. */
  private links: Lexer['tokens']['links'] = Object.create(null);
  private settledLinks: Lexer['tokens']['links'] = Object.create(null);
  private paragraph: OpenParagraph | null = null;
  /** The last character of the text, and the text's last line as it was when the pending text began. */
  private lastChar = '';
  private beforePending = { lastChar: '', lineHead: '' };
  /** Characters the last `lex()` ran marked's lexers over (for tests and the cost model). */
  lastLexedChars = 0;

  /** Adds streamed text at the end. */
  append(chunk: string): void {
    if (chunk === '') return;
    if (this.pending === '') this.beforePending = { lastChar: this.lastChar, lineHead: this.lastLineHead };
    this.lastChar = chunk[chunk.length - 1]!;
    const newline = chunk.lastIndexOf('\n');
    if (newline !== -1) {
      this.lastLineStart = this.length + newline + 1;
      this.lastLineHead = chunk.slice(newline + 1, newline + 5);
    } else if (this.lastLineHead.length < 4) {
      this.lastLineHead += chunk.slice(0, 4 - this.lastLineHead.length);
    }
    this.length += chunk.length;
    this.tailText += chunk;
    this.pending += chunk;
  }

  /** The whole text. */
  fullText(): string {
    return this.settledText + this.tailText;
  }

  /** Brings the tokens up to date with the text appended since the last call. */
  lex(): void {
    if (this.pending === '') return;
    const appended = this.pending;
    this.pending = '';
    const paragraph = this.paragraph;
    if (
      paragraph !== null &&
      !paragraph.mayBeDefinition &&
      !appended.includes('\n') &&
      this.lastLineStart < this.length - appended.length &&
      LETTER_LINE.test(this.beforePending.lineHead)
    ) {
      // Only the open line grew, and it stays paragraph text: the block tokens stand. The line's
      // head must be a letter before the append: a blank line that gets text can become a definition's URL.
      paragraph.token.raw += appended;
      paragraph.token.text += appended;
      paragraph.openText += appended;
      this.lastLexedChars = this.lexParagraphInline(paragraph);
      return;
    }
    if (this.growOpenBlock(appended)) return;
    this.lexTail();
  }

  /**
   * Grows the last block in place when only its last line grew and marked would still give the
   * same blocks: an open fenced code block whose last line can no longer become its closing
   * fence, or a list whose innermost last item ends in paragraph text on a line that starts
   * with a letter (no list, fence, heading, HTML, quote or rule begins so; see the file comment).
   * The text must end in a non-space before and after (marked trims a list's trailing spaces).
   * Returns false, changing nothing, when it cannot tell.
   */
  private growOpenBlock(appended: string): boolean {
    const last = this.tailBlocks.at(-1);
    if (last === undefined || appended.includes('\n') || /\s/.test(this.beforePending.lastChar || ' ') || /\s/.test(this.lastChar)) return false;
    if (last.type === 'code') {
      const code = last as Tokens.Code;
      if (code.codeBlockStyle === 'indented' || !OPEN_FENCE.test(code.raw) || !NOT_A_FENCE_LINE.test(this.beforePending.lineHead)) return false;
      code.raw += appended;
      code.text += appended;
      this.lastLexedChars = 0;
      return true;
    }
    const path = openListPath(last);
    if (path === null) return false;
    for (const container of path.containers) {
      container.raw += appended;
      if (container.type === 'list_item') (container as Tokens.ListItem).text += appended;
    }
    const text = path.text;
    text.raw += appended;
    text.text += appended;
    const lexer = new Lexer();
    Object.assign(lexer.tokens.links, this.links);
    text.tokens = lexer.inlineTokens(text.text, []);
    this.lastLexedChars = text.text.length;
    return true;
  }

  /** The block tokens of the whole text, as marked's `lexer(text)` gives them. */
  tokens(): Token[] {
    this.lex();
    const tail = this.tailBlocks.map((token) => {
      if (this.paragraph === null || token !== this.paragraph.token) return token;
      return { ...token, tokens: mergeInline(this.paragraph.settledTokens, this.paragraph.openTokens) };
    });
    return [...this.settledBlocks, ...tail];
  }

  /** Lexes the text after the last stable block boundary; settles the blocks it can. */
  private lexTail(): void {
    const lexer = new Lexer();
    // The first definition of a label wins: only the settled ones are known before the tail.
    Object.assign(lexer.tokens.links, this.settledLinks);
    const tail = this.tailText;
    const blocks = lexer.blockTokens(tail, []);
    if (!sameLinks(lexer.tokens.links, this.links)) {
      // A new (or still growing) link definition changes how earlier text lexes: start over, with it known.
      this.links = { ...lexer.tokens.links };
      if (this.settledEnd > 0 || this.paragraph !== null) {
        this.settledEnd = 0;
        this.tailText = this.settledText + this.tailText;
        this.settledText = '';
        this.settledBlocks = [];
        this.settledLinks = Object.create(null);
        this.paragraph = null;
        this.lexTail();
        return;
      }
    }
    const last = blocks.at(-1);
    const previous = this.paragraph;
    let lexedChars = tail.length;
    for (const { src, tokens } of lexer.inlineQueue) {
      if (last?.type === 'paragraph' && tokens === (last as Tokens.Paragraph).tokens) continue;
      lexer.inlineTokens(src, tokens);
    }
    this.paragraph = null;
    if (last?.type === 'paragraph') {
      const token = last as Tokens.Paragraph;
      // The same paragraph grew (its settled inline prefix is still its start): keep that prefix.
      const paragraphStart = this.settledEnd + tail.length - token.raw.length;
      const kept =
        previous !== null && previous.settledLength > 0 && paragraphStart === this.paragraphStart && token.text.startsWith(previous.token.text.slice(0, previous.settledLength))
          ? { settledLength: previous.settledLength, settledTokens: previous.settledTokens }
          : { settledLength: 0, settledTokens: [] };
      this.paragraphStart = paragraphStart;
      this.paragraph = { token, ...kept, openText: token.text.slice(kept.settledLength), openTokens: [], mayBeDefinition: DEFINITION_START.test(token.raw) };
      lexedChars = tail.length - token.text.length + this.lexParagraphInline(this.paragraph);
    }
    this.tailBlocks = blocks;
    this.settleBlocks();
    this.lastLexedChars = lexedChars;
  }

  /** Offset of the open paragraph in the text (to tell the same paragraph from a new one). */
  private paragraphStart = -1;

  /** Moves the tail's blocks before its last stable boundary to the settled ones. */
  private settleBlocks(): void {
    let boundary = -1;
    const blocks = this.tailBlocks;
    for (let index = blocks.length - 2; index >= 0; index--) {
      // A blank line with two blocks after it, or with one after it and a block before it that nothing can continue.
      if (isBlankLine(blocks[index - 1], blocks[index]) && (index <= blocks.length - 3 || endsAtBlankLine(blocks[index - 1]))) {
        boundary = index;
        break;
      }
    }
    if (boundary < 0) return;
    const settled = this.tailBlocks.slice(0, boundary + 1);
    let settledChars = 0;
    for (const token of settled) {
      settledChars += token.raw.length;
      this.settledBlocks.push(token);
    }
    this.settledEnd += settledChars;
    const settledText = this.tailText.slice(0, settledChars);
    this.settledText += settledText;
    this.tailText = this.tailText.slice(settledChars);
    // Definitions in the settled text (also nested in quotes or lists): each settled text is lexed
    // for them once — if it has any (every definition has "]:").
    if (settledText.includes(']:')) {
      const definitions = new Lexer();
      Object.assign(definitions.tokens.links, this.settledLinks);
      definitions.blockTokens(settledText, []);
      this.settledLinks = definitions.tokens.links;
    }
    this.tailBlocks = this.tailBlocks.slice(boundary + 1);
  }

  /** Lexes the open part of the paragraph's inline text and settles what it can; returns the characters lexed. */
  private lexParagraphInline(paragraph: OpenParagraph): number {
    const open = paragraph.openText;
    const lexer = new Lexer();
    Object.assign(lexer.tokens.links, this.links);
    const tokens = lexer.inlineTokens(open, []);
    const cut = stableInlineCut(tokens);
    if (cut === null) {
      paragraph.openTokens = tokens;
      return open.length;
    }
    const { index, offset } = cut;
    const split = tokens[index] as Tokens.Text;
    const before = { ...split, raw: split.raw.slice(0, offset), text: split.text.slice(0, offset) };
    const after = { ...split, raw: split.raw.slice(offset), text: split.text.slice(offset) };
    // In place: copying the settled tokens on every render would make the work quadratic again.
    appendInline(paragraph.settledTokens, [...tokens.slice(0, index), before]);
    const settledChars = tokens.slice(0, index).reduce((sum, token) => sum + token.raw.length, 0) + offset;
    paragraph.settledLength += settledChars;
    paragraph.openText = open.slice(settledChars);
    paragraph.openTokens = [after, ...tokens.slice(index + 1)];
    return open.length;
  }
}

/**
 * Whether `space` (after `previous`) holds a whole blank line. A space token can also be just
 * the rest of a line (the blanks marked trims off a list's end): no boundary, what follows can
 * still change how that line lexes.
 */
function isBlankLine(previous: Token | undefined, space: Token | undefined): boolean {
  if (space?.type !== 'space') return false;
  const breaks = space.raw.split('\n').length - 1;
  return breaks >= 2 || (breaks === 1 && (previous === undefined || previous.raw.endsWith('\n')));
}

/** Whether two sets of link definitions are the same (labels, targets, titles). */
function sameLinks(a: Lexer['tokens']['links'], b: Lexer['tokens']['links']): boolean {
  const labels = Object.keys(a);
  if (labels.length !== Object.keys(b).length) return false;
  return labels.every((label) => {
    const other = b[label];
    return other !== undefined && other.href === a[label]!.href && other.title === a[label]!.title;
  });
}

/**
 * Whether a blank line after `block` ends it for good: a paragraph, heading, rule or closed
 * fenced code block (lists, indented code, HTML blocks and quotes can go on past a blank line).
 */
function endsAtBlankLine(block: Token | undefined): boolean {
  if (block === undefined) return false;
  if (block.type === 'code') return OPEN_FENCE.test(block.raw);
  return block.type === 'paragraph' || block.type === 'heading' || block.type === 'hr';
}

/**
 * The containers (lists and their last items) down to the paragraph text the list `block` ends
 * in, if that text's last line starts with a letter and no item on the way is a task item
 * (marked strips a task's checkbox from its text); null otherwise.
 */
function openListPath(block: Token): { containers: (Tokens.List | Tokens.ListItem)[]; text: Tokens.Text | Tokens.Paragraph } | null {
  const containers: (Tokens.List | Tokens.ListItem)[] = [];
  let token: Token | undefined = block;
  while (token?.type === 'list') {
    const list = token as Tokens.List;
    const item = list.items.at(-1);
    if (item === undefined || item.task) return null;
    containers.push(list, item);
    token = item.tokens.at(-1);
  }
  if (containers.length === 0 || (token?.type !== 'text' && token?.type !== 'paragraph') || !('tokens' in token) || token.tokens === undefined) return null;
  const text = token as Tokens.Text | Tokens.Paragraph;
  const lastLine = text.text.slice(text.text.lastIndexOf('\n') + 1);
  // A text starting with "[" can still become a link definition ("[\nx]:" + "u"): its label can span lines.
  return LETTER_START.test(lastLine) && !DEFINITION_START.test(text.text) ? { containers, text } : null;
}

/**
 * The last stable inline boundary in `tokens` (the inline tokens of an open paragraph's text):
 * a position in a plain text token just after a single space that follows a non-space and is
 * followed by a non-space, with no unmatched delimiter in any text before it, top-level or
 * inside an emphasis or link (see closedInline). Null if none.
 */
export function stableInlineCut(tokens: readonly Token[]): { index: number; offset: number } | null {
  let best: { index: number; offset: number } | null = null;
  for (const [index, token] of tokens.entries()) {
    if (token.type !== 'text' || (token as Tokens.Text).raw !== (token as Tokens.Text).text || 'tokens' in token) {
      if (!closedInline(token)) return best;
      continue;
    }
    const raw = token.raw;
    const delimiter = raw.search(UNMATCHED_DELIMITER);
    const limit = delimiter === -1 ? raw.length : delimiter;
    for (let offset = limit - 1; offset >= 2; offset--) {
      // offset is in 2..limit - 1 with limit <= raw.length, so all three characters exist.
      if (raw[offset - 1] === ' ' && !/\s/.test(raw[offset - 2]!) && !/\s/.test(raw[offset]!)) {
        best = { index, offset };
        break;
      }
    }
    if (delimiter !== -1) return best;
  }
  return best;
}

/**
 * Whether nothing inside the inline token `token` can pair with text after it. An emphasis or
 * link can hold an unmatched delimiter: in "_`_" the backtick is the emphasis's text until a
 * later backtick makes "`_, word `" a code span, which marked masks before matching emphasis.
 * So their inner text is checked as top-level text is; a code span, escape or break is closed;
 * any other token (tag, autolink, image, a link's target) must hold no backtick.
 */
function closedInline(token: Token): boolean {
  switch (token.type) {
    case 'codespan':
    case 'escape':
    case 'br':
      return true;
    case 'text':
      return !('tokens' in token && token.tokens !== undefined) && !UNMATCHED_DELIMITER.test(token.raw);
    case 'em':
    case 'strong':
    case 'del':
      return (token as Tokens.Em | Tokens.Strong | Tokens.Del).tokens.every(closedInline);
    case 'link': {
      const link = token as Tokens.Link;
      return link.tokens.every(closedInline) && !`${link.href}${link.title ?? ''}`.includes('`');
    }
    default:
      return !token.raw.includes('`');
  }
}

/** Appends `tokens` to `settled` in place, joining text tokens as marked joins them. */
function appendInline(settled: Token[], tokens: readonly Token[]): void {
  const last = settled.at(-1);
  const first = tokens[0];
  if (last?.type === 'text' && first?.type === 'text' && !('tokens' in last) && !('tokens' in first)) {
    settled[settled.length - 1] = { ...last, raw: last.raw + first.raw, text: (last as Tokens.Text).text + (first as Tokens.Text).text };
    settled.push(...tokens.slice(1));
  } else settled.push(...tokens);
}

/** `a` then `b`, with a text token ending `a` and one starting `b` joined as marked joins them. */
function mergeInline(a: readonly Token[], b: readonly Token[]): Token[] {
  const last = a.at(-1);
  const first = b[0];
  if (last?.type === 'text' && first?.type === 'text' && !('tokens' in last) && !('tokens' in first)) {
    return [...a.slice(0, -1), { ...last, raw: last.raw + first.raw, text: (last as Tokens.Text).text + (first as Tokens.Text).text }, ...b.slice(1)];
  }
  return [...a, ...b];
}
