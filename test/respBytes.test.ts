/**
 * respBytes against RESP2 wire text written out by hand: every expected size below is the
 * UTF-8 length of the exact bytes a client sends or a server answers, so a wrong length header
 * (characters instead of bytes), a missing CRLF or a wrong type marker shows up as a difference.
 */
import { describe, expect, it } from 'vitest';
import { commandBytes, pushedMessageBytes, replyBytes, subscriptionReplyBytes } from '../src/pipeline/brokers/redis/respBytes.js';

/** Bytes of hand-written wire text. */
const wire = (...parts: string[]): number => Buffer.byteLength(parts.join(''), 'utf8');

describe('commandBytes: a command as an array of bulk strings', () => {
  it('counts plain ASCII commands', () => {
    expect(commandBytes(['LPUSH', 'key', 'value'])).toBe(wire('*3\r\n', '$5\r\nLPUSH\r\n', '$3\r\nkey\r\n', '$5\r\nvalue\r\n'));
    expect(commandBytes(['PING'])).toBe(wire('*1\r\n', '$4\r\nPING\r\n'));
    expect(commandBytes(['lrange', 'streambench:r:{s}:responses', 3, -1])).toBe(
      wire('*4\r\n', '$6\r\nlrange\r\n', '$27\r\nstreambench:r:{s}:responses\r\n', '$1\r\n3\r\n', '$2\r\n-1\r\n'),
    );
  });

  it('sends numbers as their decimal text', () => {
    expect(commandBytes(['expire', 'k', 300])).toBe(wire('*3\r\n', '$6\r\nexpire\r\n', '$1\r\nk\r\n', '$3\r\n300\r\n'));
    expect(commandBytes(['eval', 'return 1', 0])).toBe(wire('*3\r\n', '$4\r\neval\r\n', '$8\r\nreturn 1\r\n', '$1\r\n0\r\n'));
    expect(commandBytes(['lrange', 'k', -10, 1234567890])).toBe(wire('*4\r\n', '$6\r\nlrange\r\n', '$1\r\nk\r\n', '$3\r\n-10\r\n', '$10\r\n1234567890\r\n'));
    expect(commandBytes(['set', 'k', 1.5])).toBe(wire('*3\r\n', '$3\r\nset\r\n', '$1\r\nk\r\n', '$3\r\n1.5\r\n'));
  });

  it('counts an empty argument as a zero-length bulk string', () => {
    expect(commandBytes(['publish', 'c', ''])).toBe(wire('*3\r\n', '$7\r\npublish\r\n', '$1\r\nc\r\n', '$0\r\n\r\n'));
  });

  it('measures multi-byte UTF-8 by bytes, in the length header too', () => {
    // é: 2 bytes, 漢: 3 bytes, 🙂: 4 bytes (two UTF-16 code units, one code point).
    expect(commandBytes(['rpush', 'é', '漢', '🙂'])).toBe(wire('*4\r\n', '$5\r\nrpush\r\n', '$2\r\né\r\n', '$3\r\n漢\r\n', '$4\r\n🙂\r\n'));
    // 5 characters, 10 bytes: the header has two digits although the string has five characters.
    expect(commandBytes(['publish', 'ch', 'ééééé'])).toBe(wire('*3\r\n', '$7\r\npublish\r\n', '$2\r\nch\r\n', '$10\r\nééééé\r\n'));
    // A ZWJ sequence: 👩 (4) + U+200D (3) + 💻 (4) = 11 bytes.
    expect(commandBytes(['rpush', 'k', '👩‍💻'])).toBe(wire('*3\r\n', '$5\r\nrpush\r\n', '$1\r\nk\r\n', '$11\r\n👩‍💻\r\n'));
    const item = '{"sequence":0,"content":"tökén 漢字 🙂"}';
    expect(Buffer.byteLength(item)).toBe(46); // 25 ASCII before the text, tökén 7, 漢字 6, 🙂 4, two spaces and `"}` 4
    expect(commandBytes(['rpush', 'k', item])).toBe(wire('*3\r\n', '$5\r\nrpush\r\n', '$1\r\nk\r\n', `$46\r\n${item}\r\n`));
  });

  it('gives the array header as many digits as the argument count needs', () => {
    const args = Array.from({ length: 11 }, (_, index) => `i${index}`);
    expect(commandBytes(['rpush', ...args])).toBe(wire('*12\r\n', '$5\r\nrpush\r\n', ...args.map((arg) => `$${arg.length}\r\n${arg}\r\n`)));
    const long = 'x'.repeat(100);
    expect(commandBytes(['rpush', 'k', long])).toBe(wire('*3\r\n', '$5\r\nrpush\r\n', '$1\r\nk\r\n', `$100\r\n${long}\r\n`));
  });
});

describe('replyBytes: a reply as ioredis returns it', () => {
  it('counts integers as :n', () => {
    expect(replyBytes(0)).toBe(wire(':0\r\n'));
    expect(replyBytes(1)).toBe(wire(':1\r\n'));
    expect(replyBytes(42)).toBe(wire(':42\r\n'));
    expect(replyBytes(-1)).toBe(wire(':-1\r\n'));
    expect(replyBytes(1_000_000)).toBe(wire(':1000000\r\n'));
  });

  it('counts strings as bulk strings, by UTF-8 bytes', () => {
    expect(replyBytes('OK-as-bulk')).toBe(wire('$10\r\nOK-as-bulk\r\n'));
    expect(replyBytes('')).toBe(wire('$0\r\n\r\n'));
    expect(replyBytes('é')).toBe(wire('$2\r\né\r\n'));
    expect(replyBytes('漢字')).toBe(wire('$6\r\n漢字\r\n'));
    expect(replyBytes('🙂🙂🙂')).toBe(wire('$12\r\n🙂🙂🙂\r\n'));
  });

  it('counts null as the null bulk string', () => {
    expect(replyBytes(null)).toBe(wire('$-1\r\n'));
  });

  it('counts errors as -message, without the marker in the message', () => {
    expect(replyBytes(new Error('ERR unknown command'))).toBe(wire('-ERR unknown command\r\n'));
    expect(replyBytes(new Error('NOSCRIPT No matching script. Please use EVAL.'))).toBe(wire('-NOSCRIPT No matching script. Please use EVAL.\r\n'));
    expect(replyBytes(new Error('ERR clé 漢 🙂'))).toBe(wire('-ERR clé 漢 🙂\r\n'));
  });

  it('counts arrays: empty, flat, nested, with null and mixed types', () => {
    expect(replyBytes([])).toBe(wire('*0\r\n'));
    expect(replyBytes(['a', 'bc'])).toBe(wire('*2\r\n', '$1\r\na\r\n', '$2\r\nbc\r\n'));
    expect(replyBytes([[]])).toBe(wire('*1\r\n', '*0\r\n'));
    expect(replyBytes(['a', ['bc', 7, null], []])).toBe(wire('*3\r\n', '$1\r\na\r\n', '*3\r\n', '$2\r\nbc\r\n', ':7\r\n', '$-1\r\n', '*0\r\n'));
    // An LRANGE reply of field-shaped items with multi-byte content.
    const items = ['{"content":"é"}', '{"content":"漢"}', '{"content":"🙂"}'];
    expect(replyBytes(items)).toBe(wire('*3\r\n', '$16\r\n{"content":"é"}\r\n', '$17\r\n{"content":"漢"}\r\n', '$18\r\n{"content":"🙂"}\r\n'));
    const many = Array.from({ length: 10 }, (_, index) => String(index));
    expect(replyBytes(many)).toBe(wire('*10\r\n', ...many.map((item) => `$1\r\n${item}\r\n`)));
  });

  it('counts a pipeline element that is an error inside an array like the error alone', () => {
    expect(replyBytes([new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), 1])).toBe(
      wire('*2\r\n', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n', ':1\r\n'),
    );
  });
});

describe('pub/sub replies', () => {
  it('subscriptionReplyBytes: [kind, channel, count]', () => {
    expect(subscriptionReplyBytes('subscribe', 'ch', 1)).toBe(wire('*3\r\n', '$9\r\nsubscribe\r\n', '$2\r\nch\r\n', ':1\r\n'));
    expect(subscriptionReplyBytes('subscribe', 'streambench:r:{s}:control', 12)).toBe(wire('*3\r\n', '$9\r\nsubscribe\r\n', '$25\r\nstreambench:r:{s}:control\r\n', ':12\r\n'));
    expect(subscriptionReplyBytes('unsubscribe', 'ch', 0)).toBe(wire('*3\r\n', '$11\r\nunsubscribe\r\n', '$2\r\nch\r\n', ':0\r\n'));
    expect(subscriptionReplyBytes('unsubscribe', 'canal-é', 1000)).toBe(wire('*3\r\n', '$11\r\nunsubscribe\r\n', '$8\r\ncanal-é\r\n', ':1000\r\n'));
  });

  it('pushedMessageBytes: [message, channel, payload]', () => {
    expect(pushedMessageBytes('ch', 'new')).toBe(wire('*3\r\n', '$7\r\nmessage\r\n', '$2\r\nch\r\n', '$3\r\nnew\r\n'));
    expect(pushedMessageBytes('ch', '')).toBe(wire('*3\r\n', '$7\r\nmessage\r\n', '$2\r\nch\r\n', '$0\r\n\r\n'));
    expect(pushedMessageBytes('漢', '0 tökén 🙂')).toBe(wire('*3\r\n', '$7\r\nmessage\r\n', '$3\r\n漢\r\n', '$13\r\n0 tökén 🙂\r\n'));
  });

  it('a pushed message has the size of the command that would carry the same three strings', () => {
    expect(pushedMessageBytes('c', 'p é')).toBe(commandBytes(['message', 'c', 'p é']));
  });
});
