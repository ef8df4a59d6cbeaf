/**
 * The Redis Cluster hash slot of a key or shard channel: CRC16 (XMODEM) of its hash tag, or
 * of the whole name when it has none, modulo 16384 — the algorithm of the cluster
 * specification. The Cluster brokers use it to find the node that holds a stream, without a
 * round trip (CLUSTER KEYSLOT) that would land on a counted socket.
 */

/** Slots in a Redis Cluster. */
export const CLUSTER_SLOTS = 16384;

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[byte] = crc & 0xffff;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/**
 * The part of `key` that is hashed: between the first `{` and the first `}` after it when
 * that is non-empty, else the whole key (so `a{}b` hashes whole, as the server does).
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

/** The cluster slot of `key` (0–16383), as CLUSTER KEYSLOT computes it. */
export function keySlot(key: string): number {
  return crc16(Buffer.from(hashTagOf(key), 'utf8')) % CLUSTER_SLOTS;
}
