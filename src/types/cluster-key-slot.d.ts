/** The package ships no types; this is the one function streambench calls (ioredis routes with the same one). */
declare module 'cluster-key-slot' {
  /** The Redis Cluster slot (0–16383) of a key or shard channel: CRC16/XMODEM of its hash tag, else of the whole name. */
  function calculateSlot(key: string): number;
  export = calculateSlot;
}
