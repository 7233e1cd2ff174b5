/**
 * The contract between the operator and a stack's backup store (the pod serving the stack's backup
 * volume): port, paths, the token's Secret. The store serves it (store-server.ts), the operator
 * calls it (remote-store.ts). Every path but the health check needs the stack's bearer token.
 */
export const STORE_PORT = 3391;
export const STORE_PORT_NAME = 'store';
/** Where the store's container mounts the backup volume. */
export const STORE_MOUNT_PATH = '/var/backups';
/** The store's variable holding its token, and the key of the token in the store's Secret. */
export const STORE_TOKEN_ENV = 'STORE_TOKEN';
export const STORE_TOKEN_KEY = 'token';

export const STORE_PATHS = {
  /** GET: 200 once the store serves (no token: the kubelet's readiness probe asks it). */
  health: '/healthz',
  /** + '/' + key. PUT: the body becomes the object, whole or not at all; GET: its bytes; HEAD: its size; 404 when absent. */
  objects: '/v1/objects',
  /** GET ?prefix=P: JSON [{key, size}] of every object whose key starts with P, sorted by key. */
  list: '/v1/list',
  /** POST, JSON {keys: [...]}: deletes them (absent ones are no error). */
  delete: '/v1/delete',
} as const;

/** The largest JSON body the store reads (a delete of many binlogs). */
export const STORE_MAX_JSON_BYTES = 4 * 1024 * 1024;

/** A key's path: each segment URI-encoded, so '/' stays the separator and nothing else is special. */
export function objectPath(key: string): string {
  return `${STORE_PATHS.objects}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** The store's token: random, made once by the reconcile, kept in the stack's Secret `<stack>-backup-store`. */
export function newStoreToken(randomBytes: (size: number) => Uint8Array): string {
  return Buffer.from(randomBytes(32)).toString('hex');
}
