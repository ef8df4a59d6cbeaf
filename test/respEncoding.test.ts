import { describe, expect, it } from 'vitest';
import { commandBytes, pushedMessageBytes, replyBytes, subscriptionReplyBytes } from '../src/pipeline/brokers/redis/respBytes.js';

const bytes = (wire: string) => Buffer.byteLength(wire);

describe('RESP2 sizes', () => {
  it('counts a command as an array of bulk strings, numbers as their decimal text, UTF-8 by bytes', () => {
    expect(commandBytes(['lrange', 'k', 0, -1])).toBe(bytes('*4\r\n$6\r\nlrange\r\n$1\r\nk\r\n$1\r\n0\r\n$2\r\n-1\r\n'));
    expect(commandBytes(['rpush', 'lé', '漢🙂'])).toBe(bytes('*3\r\n$5\r\nrpush\r\n$3\r\nlé\r\n$7\r\n漢🙂\r\n'));
    expect(commandBytes(['publish', 'c', ''])).toBe(bytes('*3\r\n$7\r\npublish\r\n$1\r\nc\r\n$0\r\n\r\n'));
  });

  it('counts replies: integers, bulk strings, null, errors and nested arrays', () => {
    expect(replyBytes(42)).toBe(bytes(':42\r\n'));
    expect(replyBytes(-1)).toBe(bytes(':-1\r\n'));
    expect(replyBytes('漢')).toBe(bytes('$3\r\n漢\r\n'));
    expect(replyBytes(null)).toBe(bytes('$-1\r\n'));
    expect(replyBytes(new Error('NOSCRIPT No matching script'))).toBe(bytes('-NOSCRIPT No matching script\r\n'));
    expect(replyBytes([])).toBe(bytes('*0\r\n'));
    expect(replyBytes(['a', ['bc', 7]])).toBe(bytes('*2\r\n$1\r\na\r\n*2\r\n$2\r\nbc\r\n:7\r\n'));
  });

  it('counts pub/sub confirmations and pushed messages', () => {
    expect(subscriptionReplyBytes('subscribe', 'ch', 12)).toBe(bytes('*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:12\r\n'));
    expect(subscriptionReplyBytes('unsubscribe', 'ch', 0)).toBe(bytes('*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n'));
    expect(pushedMessageBytes('ch', 'new')).toBe(bytes('*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nnew\r\n'));
  });
});
