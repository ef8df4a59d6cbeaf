/**
 * Generated text that looks like chat-assistant output: paragraphs, headings, lists,
 * bold, inline code, fenced code blocks and some non-ASCII (Portuguese, emoji), so that
 * markdown renderers have real work and UTF-8 byte counts differ from character counts.
 * Built from word lists and templates; deterministic for a given Random.
 */
import type { Random } from './random.js';

export const corpusStyles = ['chat', 'prose', 'markdown', 'code'] as const;
/** The kind of text a synthetic stream carries. */
export type CorpusStyle = (typeof corpusStyles)[number];

const NOUNS = [
  'worker',
  'API server',
  'Redis list',
  'event loop',
  'buffer',
  'consumer',
  'producer',
  'stream',
  'batch',
  'payload',
  'client',
  'browser tab',
  'queue',
  'socket',
  'timer',
  'parser',
  'model',
];
const ADJECTIVES = ['small', 'bounded', 'slow', 'fast', 'idle', 'partial', 'stale', 'fresh', 'large', 'single'];
const VERBS = ['reads', 'writes', 'flushes', 'parses', 'buffers', 'forwards', 'drops', 'serializes', 'delays', 'batches', 'renders', 'publishes'];
const TAILS = [
  'before the next chunk arrives',
  'on every signal',
  'once per request',
  'after a short pause',
  'without waiting for an acknowledgement',
  'in about {n} ms',
  'for each of the {n} tokens',
  'when the stream ends',
  'while the model is still generating',
  "so the user doesn't notice",
];
const SENTENCE_TEMPLATES = [
  'The {term} {verb} the {adj} {noun} {tail}.',
  'If the {noun} is {adj}, the {term} {verb} it {tail}.',
  'Each {term} {verb} {n} items {tail}.',
  'This is why the {noun} {verb} the {term} {tail}.',
  'In practice, a {adj} {term} {verb} the {noun} {tail}.',
  "Keep in mind that the {term} isn't the bottleneck here.",
  'Measure the {noun} first: a {adj} {term} can hide {n} ms of latency.',
];
const IDENTIFIERS = ['chunk', 'buffer', 'payload', 'items', 'batch', 'delta', 'text', 'cursor'];
const TS_FUNCTION_NAMES = ['flushBatch', 'readNewItems', 'relayStream', 'collectChunks', 'renderText', 'publishDelta'];
const PY_FUNCTION_NAMES = ['flush_batch', 'read_new_items', 'relay_stream', 'collect_chunks', 'publish_delta'];
const PORTUGUESE_ASIDES = [
  'Em resumo: a configuração não muda o protocolo.',
  'A latência é o que o usuário sente, não a média.',
  'Isso também vale para a ação de renderização.',
  'Não é preciso mudar a API para isso.',
  'A solução é medir antes de otimizar.',
];
const EMOJI = ['🚀', '✅', '⚠️', '👍', '💡'];
const HEADINGS = [
  'Why this happens',
  'What to measure',
  'A simpler approach',
  'Trade-offs',
  'Configuração recomendada',
  'Next steps',
  'How the relay works',
  'Common pitfalls',
  'Otimização do pipeline',
];
const DOCUMENT_TITLES = ['Streaming latency notes', 'Guia de otimização do streaming', 'Relay pipeline review'];
const CHAT_OPENERS = [
  "Sure! Here's how to approach it.",
  'Good question — there are a few moving parts.',
  'Short answer: it depends on where the time goes.',
  'Claro! Vamos por partes.',
  "Let's break this down step by step.",
];
// Every closing holds non-ASCII, so even a short text has UTF-8 bytes ≠ characters.
const CLOSINGS: Record<CorpusStyle, readonly string[]> = {
  chat: ['Hope this helps! 🚀', 'Let me know if you want more detail. 👍', 'Boa sorte com a configuração! ✅'],
  prose: ['That is the whole trade-off — measure first.', 'Em suma, não há atalho: é preciso medir.'],
  markdown: ['> **Nota:** a ordem das seções não importa. 💡', '---\n\n_Última revisão: sem mudanças de API._'],
  code: ["That's it — no extra dependencies. ✅", 'Pronto: o código não bloqueia o event loop.'],
};

/** Capitalizes the first character. */
function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A noun, sometimes as **bold** or `inline code` (an identifier), as assistants write. */
function term(random: Random): string {
  const roll = random.next();
  if (roll < 0.2) return `**${random.pick(NOUNS)}**`;
  if (roll < 0.4) return `\`${random.pick(IDENTIFIERS)}\``;
  return random.pick(NOUNS);
}

/** One sentence from a template with its slots filled. */
function sentence(random: Random): string {
  const template = random.pick(SENTENCE_TEMPLATES).replace('{tail}', () => random.pick(TAILS));
  return template.replace(/\{(term|noun|adj|verb|n)\}/g, (_, slot: string) => {
    switch (slot) {
      case 'term':
        return term(random);
      case 'noun':
        return random.pick(NOUNS);
      case 'adj':
        return random.pick(ADJECTIVES);
      case 'verb':
        return random.pick(VERBS);
      default:
        return String(random.int(2, 500));
    }
  });
}

/** A paragraph of a few sentences, now and then with a Portuguese aside or an emoji. */
function paragraph(random: Random, sentences = random.int(2, 4)): string {
  const parts = Array.from({ length: sentences }, () => sentence(random));
  if (random.chance(0.25)) parts.push(random.pick(PORTUGUESE_ASIDES));
  if (random.chance(0.1)) parts.push(random.pick(EMOJI));
  return parts.join(' ');
}

/** A markdown heading, sometimes with an emoji. */
function heading(random: Random, level = random.int(2, 3)): string {
  const title = random.pick(HEADINGS);
  return `${'#'.repeat(level)} ${random.chance(0.2) ? `${title} ${random.pick(EMOJI)}` : title}`;
}

/** A list item: a sentence, or a **Label**: sentence pair. */
function listItem(random: Random): string {
  if (random.chance(0.4)) return `**${capitalize(random.pick(ADJECTIVES))} ${random.pick(NOUNS)}**: ${sentence(random)}`;
  return sentence(random);
}

/** A bullet list (`- `) or numbered list (`1. `) of 3–5 items. */
function list(random: Random, numbered: boolean): string {
  const count = random.int(3, 5);
  return Array.from({ length: count }, (_, i) => `${numbered ? `${i + 1}.` : '-'} ${listItem(random)}`).join('\n');
}

/** A short TypeScript snippet about relaying chunks. */
function typescriptSnippet(random: Random): string {
  const fn = random.pick(TS_FUNCTION_NAMES);
  const name = random.pick(IDENTIFIERS);
  switch (random.int(0, 2)) {
    case 0:
      return [
        `export async function ${fn}(stream: AsyncIterable<string>): Promise<string> {`,
        `  let ${name} = '';`,
        '  for await (const chunk of stream) {',
        `    ${name} += chunk;`,
        '  }',
        `  return ${name};`,
        '}',
      ].join('\n');
    case 1:
      return [
        `const BATCH_SIZE = ${random.int(2, 20)};`,
        `const BATCH_TIMEOUT_MS = ${random.int(1, 20) * 10};`,
        '',
        `function ${fn}(${name}: string[], send: (text: string) => void): void {`,
        `  if (${name}.length >= BATCH_SIZE) {`,
        `    send(${name}.join(''));`,
        `    ${name}.length = 0;`,
        '  }',
        '}',
      ].join('\n');
    default:
      return [
        'interface StreamEvent {',
        '  seq: number;',
        '  text: string;',
        '}',
        '',
        'const events: StreamEvent[] = [];',
        'events.sort((a, b) => a.seq - b.seq); // a ordem não é garantida',
      ].join('\n');
  }
}

/** A short Python snippet in the style of the seed's backend. */
function pythonSnippet(random: Random): string {
  const fn = random.pick(PY_FUNCTION_NAMES);
  const name = random.pick(IDENTIFIERS);
  switch (random.int(0, 2)) {
    case 0:
      return [
        `async def ${fn}(redis, key: str, start: int = 0) -> list[dict]:`,
        `    items = await redis.lrange(key, start, start + ${random.int(1, 50)})`,
        '    return [json.loads(item) for item in items]',
      ].join('\n');
    case 1:
      return [
        `BATCH_SIZE = ${random.int(2, 20)}`,
        `BATCH_TIMEOUT = ${random.int(1, 9) / 10}  # segundos`,
        '',
        `async def ${fn}(chunks):`,
        '    buffer = []',
        '    async for chunk in chunks:',
        '        buffer.append(chunk)',
        '        if len(buffer) >= BATCH_SIZE:',
        '            yield "".join(buffer)',
        '            buffer = []',
        '    if buffer:',
        '        yield "".join(buffer)',
      ].join('\n');
    default:
      return [`def ${fn}(${name}: str) -> str:`, '    # não reprocessar o texto inteiro a cada chunk', `    return ${name}.strip()`].join('\n');
  }
}

/** A fenced code block (TypeScript or Python) after a one-sentence introduction. */
function codeBlock(random: Random): string {
  const intro = random.pick(["Here's a minimal version:", 'For example:', 'Something like this:', 'Um exemplo mínimo:']);
  const fence = random.chance(0.5) ? `\`\`\`ts\n${typescriptSnippet(random)}` : `\`\`\`python\n${pythonSnippet(random)}`;
  return `${intro}\n\n${fence}\n\`\`\``;
}

/** A small markdown table of made-up latency figures. */
function table(random: Random): string {
  const rows = Array.from({ length: random.int(2, 4) }, () => {
    const p50 = random.int(1, 200);
    return `| ${random.pick(ADJECTIVES)} ${random.pick(NOUNS)} | ${p50} | ${p50 + random.int(0, 300)} |`;
  });
  return ['| setting | p50 (ms) | p99 (ms) |', '| --- | ---: | ---: |', ...rows].join('\n');
}

type BlockMaker = (random: Random) => string;

/** Picks one block maker with probability proportional to its weight. */
function pickWeighted(random: Random, choices: readonly (readonly [number, BlockMaker])[]): BlockMaker {
  const total = choices.reduce((sum, [weight]) => sum + weight, 0);
  let roll = random.next() * total;
  for (const [weight, make] of choices) {
    roll -= weight;
    if (roll < 0) return make;
  }
  const last = choices.at(-1);
  if (!last) throw new RangeError('pickWeighted() needs at least one choice');
  return last[1];
}

// Per style: the block that opens the text and the mix of blocks that follow.
const STYLES: Record<CorpusStyle, { opening: BlockMaker; body: readonly (readonly [number, BlockMaker])[] }> = {
  chat: {
    opening: (random) => `${random.pick(CHAT_OPENERS)} ${paragraph(random, random.int(1, 2))}`,
    body: [
      [3, (random) => paragraph(random)],
      [1, (random) => `${heading(random)}\n\n${paragraph(random)}`],
      [2, (random) => list(random, false)],
      [1, (random) => list(random, true)],
      [1, codeBlock],
    ],
  },
  prose: {
    opening: (random) => paragraph(random),
    body: [[1, (random) => paragraph(random)]],
  },
  markdown: {
    opening: (random) => `# ${random.pick(DOCUMENT_TITLES)}`,
    body: [
      [2, (random) => `${heading(random)}\n\n${paragraph(random)}`],
      [2, (random) => list(random, random.chance(0.5))],
      [1, table],
      [1, (random) => `> ${sentence(random)}`],
    ],
  },
  code: {
    opening: (random) => paragraph(random, 1),
    body: [
      [3, codeBlock],
      [1, (random) => paragraph(random, 1)],
    ],
  },
};

/**
 * Generates assistant-like text of at least `minChars` UTF-16 code units (blocks are
 * whole, so it runs a little over), in the given style; the same Random state gives the
 * same text.
 */
export function generateText(random: Random, style: CorpusStyle, minChars: number): string {
  const { opening, body } = STYLES[style];
  const first = opening(random);
  const blocks = [first];
  let length = first.length;
  while (length < minChars) {
    const block = pickWeighted(random, body)(random);
    blocks.push(block);
    length += block.length + 2; // the blank line between blocks
  }
  blocks.push(random.pick(CLOSINGS[style]));
  return blocks.join('\n\n');
}
