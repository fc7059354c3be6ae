export * from './schema.js';
export * from './errors.js';
export * from './parse.js';
export * from './env.js';
export * from './docs.js';
export * from './redis.js';
