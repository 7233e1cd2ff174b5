/** A pass-through stream that counts and hashes (SHA-256) what flows through it. */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

export function measuring(): { stream: Transform; digest(): { sha256: string; size: number } } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  return { stream, digest: () => ({ sha256: hash.digest('hex'), size }) };
}
