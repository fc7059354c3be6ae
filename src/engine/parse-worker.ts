// A parse pool worker thread (started by parse-pool.ts): splits files and checks patched files' structure.
import { parentPort } from 'node:worker_threads';
import { split } from '../markdown/index.js';
import {
  decodeDocuments,
  toWireError,
  transferables,
  WireEncoder,
  type ParseRequest,
  type ParseResponse,
} from './parse-wire.js';
import { admitReplacements } from './structure.js';

const port = parentPort;
if (!port)
  throw new Error('parse-worker runs as a worker thread of the parse pool (createParsePool), not on its own');

function answer(request: ParseRequest): { response: ParseResponse; transfer: ArrayBuffer[] } {
  if (request.op === 'split') {
    const encoder = new WireEncoder();
    for (const f of request.files) encoder.add(split(f.bytes, { path: f.path }));
    const docs = encoder.finish();
    return { response: { id: request.id, op: 'split', docs }, transfer: transferables(docs) };
  }
  const docs = decodeDocuments(request.docs, request.sources);
  const verdicts = docs.map((doc, i) => admitReplacements(doc, request.replacements[i]!));
  // The joined bytes are fresh buffers nobody else holds here: move them instead of copying.
  const transfer = verdicts.flatMap((v) =>
    v.after && v.after.byteOffset === 0 && v.after.byteLength === v.after.buffer.byteLength
      ? [v.after.buffer as ArrayBuffer]
      : [],
  );
  return { response: { id: request.id, op: 'admit', verdicts }, transfer };
}

port.on('message', (request: ParseRequest) => {
  let reply: { response: ParseResponse; transfer: ArrayBuffer[] };
  try {
    reply = answer(request);
  } catch (err) {
    reply = { response: { id: request.id, op: 'error', error: toWireError(err) }, transfer: [] };
  }
  port.postMessage(reply.response, reply.transfer);
});
