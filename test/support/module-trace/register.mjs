// `node --import ./register.mjs app.js` prints what app.js loads (see hooks.mjs).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
