/** The result document's schema version, in a module of its own so reading a file needs no zod (npm run bench:startup). */
export const RESULT_SCHEMA_VERSION = 1;
