/**
 * When a stall of the tool's own event loop disturbs a stream. Its own module so that `compare`
 * and `report`, which judge recorded stalls, need not load the stall probe and its clock.
 */

/** At and above this, a stream counts as disturbed by the tool's own stalls (warnings, compare). */
export const DISTURBING_STALL_MS = 20;
