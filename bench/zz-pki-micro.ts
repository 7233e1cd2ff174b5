import { newCertificateAuthority, issueServerCertificate } from '../src/pki/certificates.js';
import { databaseCertificates } from '../src/pki/database-certificates.js';
const N = Number(process.argv[2] ?? 300);
function t<T>(label: string, f: (i: number) => T): T { const s = performance.now(); let r!: T; for (let i = 0; i < N; i++) r = f(i); console.log(label.padEnd(40), ((performance.now() - s) / N * 1000).toFixed(0), 'us'); return r; }
const now = new Date();
const ca = t('newCertificateAuthority', () => newCertificateAuthority('ns/s database CA', now));
t('issueServerCertificate', () => issueServerCertificate(ca, 's-mysql', ['a.b', '*.c.d', 'e'], now));
const subject = { stack: 's', namespace: 'bench', clusterDomain: 'cluster.local' };
const made = t('databaseCertificates({})', () => databaseCertificates({}, subject, now));
const b64 = (s: string) => Buffer.from(s).toString('base64');
const existing = { ca: { 'ca.crt': b64(made.certificates.caBundle), 'ca.key': b64(made.certificates.ca.privateKey) }, tls: { 'tls.crt': b64(made.certificates.server.certificate), 'tls.key': b64(made.certificates.server.privateKey) } };
const outs = Array.from({ length: N }, () => databaseCertificates({}, subject, now).certificates).map((c) => ({ ca: { 'ca.crt': b64(c.caBundle), 'ca.key': b64(c.ca.privateKey) }, tls: { 'tls.crt': b64(c.server.certificate), 'tls.key': b64(c.server.privateKey) } }));
t('databaseCertificates(existing, distinct)', (i) => databaseCertificates(outs[i], subject, now));
const o = databaseCertificates(existing, subject, now); console.log(o.made, o.stableThrough);
