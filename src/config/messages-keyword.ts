/**
 * Schema annotation with the message to show when a keyword fails, e.g.
 * `{ type: 'array', minItems: 1, 'x-messages': { minItems: 'must list at least one result file' } }`.
 * In a module of its own, without imports, so scripts/generate-validators.mjs can load the schemas
 * that use it without pmt's dependencies.
 */
export const MESSAGES_KEYWORD = 'x-messages';
