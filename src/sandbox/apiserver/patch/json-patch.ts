/** JSON patch (RFC 6902) with JSON pointers (RFC 6901). */
import { ApiError } from '../errors.js';
import { clone, deepEqual, isObject } from '../types.js';

export interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

const invalidPatch = (message: string): ApiError => new ApiError(422, 'Invalid', message);

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw invalidPatch(`invalid JSON pointer "${pointer}"`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container holding the last token, and that token. */
function locate(doc: unknown, tokens: string[], pointer: string): { parent: unknown; key: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw invalidPatch(`doc is missing path: "${pointer}"`);
  }
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function get(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const t of parsePointer(pointer)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (cur === undefined) throw invalidPatch(`doc is missing path: "${pointer}"`);
  }
  return cur;
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (!tokens.length) return value;
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw invalidPatch(`add operation: index out of bounds at "${pointer}"`);
    parent.splice(index, 0, value);
  } else if (isObject(parent)) parent[key] = value;
  else throw invalidPatch(`doc is missing path: "${pointer}"`);
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!(index >= 0 && index < parent.length)) throw invalidPatch(`remove operation does not apply: doc is missing path: "${pointer}"`);
    parent.splice(index, 1);
  } else if (isObject(parent) && key in parent) delete parent[key];
  else throw invalidPatch(`remove operation does not apply: doc is missing path: "${pointer}"`);
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new ApiError(400, 'BadRequest', 'json patch must be an array of operations');
  let doc = clone(target);
  for (const raw of ops) {
    const op = raw as JsonPatchOp;
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, clone(op.value));
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'replace':
        get(doc, op.path);
        doc = add(remove(doc, op.path), op.path, clone(op.value));
        break;
      case 'move': {
        const value = get(doc, op.from ?? '');
        doc = add(remove(doc, op.from ?? ''), op.path, value);
        break;
      }
      case 'copy':
        doc = add(doc, op.path, clone(get(doc, op.from ?? '')));
        break;
      case 'test':
        if (!deepEqual(get(doc, op.path), op.value)) throw invalidPatch(`testing value ${op.path} failed`);
        break;
      default:
        throw new ApiError(400, 'BadRequest', `Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}
