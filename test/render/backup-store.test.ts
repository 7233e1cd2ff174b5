/** The backup volume and its store: rendered only for volume storage with an image, valid objects, the claim kept (no owner), the store guarded. */
import { describe, expect, it } from '@jest/globals';
import { STORE_PORT, STORE_TOKEN_KEY } from '../../src/backup/store-protocol.js';
import { renderBackupStore } from '../../src/render/backup-store.js';
import { renderNetworkPolicies } from '../../src/render/network-policy.js';
import { renderStack } from '../../src/render/stack.js';
import { resolveSpec } from '../../src/api/defaults.js';
import { validateKubeObject } from '../deploy/kube-schema.js';
import { find, type Loose } from './find.js';
import { FIXED_ADMIN_TOKEN, FIXED_CERTIFICATES, FIXED_CREDENTIALS, FIXED_UID, stack } from './fixtures.js';

const IMAGE = 'ghcr.io/webstack-dev/webstack-operator:0.1.0';
const TOKEN = 'StoreTokenForRenderTests'.padEnd(64, '0');
const store = { token: TOKEN, image: IMAGE };
const withBackup = (backup: object) => stack({ database: { engine: 'mariadb', backup } });

describe('renderBackupStore', () => {
  it.each([
    ['no backup spec', stack({})],
    ['backups to S3', withBackup({ storage: { s3: { bucket: 'b', credentialsSecret: 's' } } })],
  ])('renders nothing for %s', (_what, ws) => {
    expect(renderBackupStore(ws, store)).toEqual([]);
  });

  it('renders nothing without the operator\'s image to run the store from', () => {
    expect(renderBackupStore(withBackup({}), { token: TOKEN })).toEqual([]);
  });

  it('the default target: a 10Gi claim with no owner, the token Secret and a one-pod Recreate store, each valid', async () => {
    const objects = renderBackupStore(withBackup({ schedule: '0 * * * *' }), store);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['PersistentVolumeClaim/shop-backups', 'Secret/shop-backup-store', 'Deployment/shop-backup-store']);
    for (const o of objects) await validateKubeObject(o);
    const claim = objects[0] as Loose;
    expect(claim.metadata.ownerReferences).toBeUndefined();
    expect(claim.metadata.labels).toMatchObject({ 'webstack.dev/stack': 'shop', 'app.kubernetes.io/component': 'backup-store' });
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    const secret = objects[1] as Loose;
    expect(secret.metadata.ownerReferences[0]).toMatchObject({ kind: 'WebStack', uid: FIXED_UID, controller: true });
    expect(Buffer.from(secret.data[STORE_TOKEN_KEY], 'base64').toString()).toBe(TOKEN);
    const deployment = objects[2] as Loose;
    expect(deployment.metadata.ownerReferences[0]).toMatchObject({ kind: 'WebStack', uid: FIXED_UID });
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = deployment.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes).toEqual([{ name: 'backups', persistentVolumeClaim: { claimName: 'shop-backups' } }]);
    const container = pod.containers[0];
    expect(container).toMatchObject({ image: IMAGE, command: ['webstack-operator', 'store'], ports: [{ containerPort: STORE_PORT }] });
    // The token reaches the pod through the Secret only, never the pod spec.
    expect(JSON.stringify(deployment)).not.toContain(TOKEN);
    expect(container.env).toEqual([{ name: 'STORE_TOKEN', valueFrom: { secretKeyRef: { name: 'shop-backup-store', key: STORE_TOKEN_KEY } } }]);
  });

  it('takes the size and StorageClass the spec gives', () => {
    const [claim] = renderBackupStore(withBackup({ storage: { volume: { size: '200Gi', storageClassName: 'fast' } } }), store) as Loose[];
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '200Gi' } }, storageClassName: 'fast' });
  });

  it('is part of the stack, and only the operator\'s pods reach the store', () => {
    const ws = withBackup({});
    const objects = renderStack(ws, { credentials: FIXED_CREDENTIALS, haproxyAdminToken: FIXED_ADMIN_TOKEN, certificates: FIXED_CERTIFICATES, backupStore: store });
    expect(find(objects, 'PersistentVolumeClaim', 'shop-backups')).toBeDefined();
    const policy = find(renderNetworkPolicies(ws, resolveSpec(ws)), 'NetworkPolicy', 'shop-allow-backup-store') as Loose;
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'webstack.dev/stack': 'shop', 'app.kubernetes.io/component': 'backup-store' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'webstack-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'webstack-operator' } } }],
        ports: [{ protocol: 'TCP', port: STORE_PORT }],
      }],
    });
    expect(renderNetworkPolicies(stack({}), resolveSpec(stack({}))).map((p) => p.metadata.name)).not.toContain('shop-allow-backup-store');
  });
});
