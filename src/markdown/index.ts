// The markdown line model: split a file into line units, join them back, compare block structure.
export { split, DEFAULT_MAX_LINE_LENGTH } from './split.js';
export { join, LineReplacementError } from './join.js';
export { blockSignature } from './signature.js';
export { DEFAULT_MAX_BYTES } from './decode.js';
export * from './types.js';
