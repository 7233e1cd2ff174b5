/** The ConfigMap keeping a diverged instance's transactions: its name, owner (never the controller), and a size that fits. */
import { describe, expect, it } from '@jest/globals';
import type { WebStack } from '../../src/api/types.js';
import { ERRANT_KEYS, MAX_EVENTS_BYTES, renderErrantTransactions } from '../../src/render/errant-transactions.js';

const ws = { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'prod', uid: 'u-1' }, spec: { apps: [] } } as WebStack;

describe('renderErrantTransactions', () => {
  it('names the instance and the save, and is garbage with the stack without being a child the reconcile prunes', () => {
    const cm = renderErrantTransactions(ws, 'shop-mysql-0', 2, '0-100-91', '# 0-100-91\nbinlog.000002:400\tGtid\tBEGIN GTID 0-100-91\n');
    expect(cm.metadata).toMatchObject({ name: 'shop-errant-shop-mysql-0-2', namespace: 'prod',
      ownerReferences: [{ apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', name: 'shop', uid: 'u-1', controller: false }] });
    expect(cm.metadata.labels).toMatchObject({ 'webstack.dev/stack': 'shop', 'app.kubernetes.io/component': 'database' });
    expect(cm.data).toEqual({ [ERRANT_KEYS.instance]: 'shop-mysql-0', [ERRANT_KEYS.gtids]: '0-100-91',
      [ERRANT_KEYS.events]: '# 0-100-91\nbinlog.000002:400\tGtid\tBEGIN GTID 0-100-91\n' });
  });

  it('cuts events past what a ConfigMap holds at a line, saying so', () => {
    const line = `binlog.000002:400\tAnnotate_rows\t${'x'.repeat(1000)}\n`;
    const events = line.repeat(2000);
    const text = (renderErrantTransactions(ws, 'shop-mysql-0', 1, '0-100-91', events).data as Record<string, string>)[ERRANT_KEYS.events];
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_EVENTS_BYTES + 100);
    const lines = text.split('\n');
    expect(lines.at(-2)).toBe(`# cut at ${MAX_EVENTS_BYTES} bytes of ${Buffer.byteLength(events)}`);
    expect(lines.slice(0, -2).every((l) => `${l}\n` === line)).toBe(true);
  });
});
