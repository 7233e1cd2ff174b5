/**
 * A stack's database certificate authority and the server certificate it signs. Keys are ECDSA
 * P-256 from node:crypto (an RSA 2048 key took 50-400 ms to make, two per new stack: 75% of the
 * operator's CPU while 300 new stacks converged); node-forge encodes the X.509 structures and
 * node:crypto signs them, so no openssl binary is needed in the operator's image. A CA made
 * earlier with an RSA key still signs, with RSA. Everything else here is pure.
 *
 * Keys are made and certificates signed on libuv's thread pool, not on the operator's one
 * JavaScript thread. generateKeyPairSync also left its job to the garbage collector: a collection
 * during the key's JWK export could free the job while the export held the key's lock, and Node 20
 * waited on that lock forever (seen in a bare loop of the two calls, in about one run in ten of
 * 3,000 keys). An async job is freed right after its callback, never by the collector.
 */
import { createHash, createPrivateKey, generateKeyPair, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPair {
  certificate: string;
  privateKey: string;
}

/** How long each certificate is valid; rotation.ts renews it when a third of that is left. */
export const CA_LIFETIME_DAYS = 3650;
export const SERVER_LIFETIME_DAYS = 90;
/** Backdated, so a node whose clock is a little behind the operator's accepts a fresh certificate. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const { asn1 } = forge;
const SEQUENCE = asn1.Type.SEQUENCE;
const UNIVERSAL = asn1.Class.UNIVERSAL;
const SIGNATURE_OIDS = { ec: '1.2.840.10045.4.3.2', rsa: '1.2.840.113549.1.1.11' } as const;

/** forge's encoders of certificate parts that its typings leave out. */
const pki = forge.pki as unknown as {
  distinguishedNameToAsn1(dn: { attributes: forge.pki.CertificateField[] }): forge.asn1.Asn1;
  certificateExtensionsToAsn1(extensions: unknown[]): forge.asn1.Asn1;
};
/** forge's DER parser with the option its typings leave out. */
const fromDerWith = asn1.fromDer as unknown as (bytes: forge.util.ByteStringBuffer, options: { decodeBitStrings: boolean }) => forge.asn1.Asn1;

interface Signer {
  key: KeyObject;
  /** The issuer's name as encoded in its own certificate. */
  name: forge.asn1.Asn1;
  keyIdentifier: string;
}

/** The subjectKeyIdentifier extension with its value given (forge would derive it from an RSA key). */
const subjectKeyIdentifierExtension = (id: string) => ({
  name: 'subjectKeyIdentifier', value: asn1.create(UNIVERSAL, asn1.Type.OCTETSTRING, false, Buffer.from(id, 'hex').toString('binary')),
});

const fromDer = (der: Buffer): forge.asn1.Asn1 => asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
const toDer = (node: forge.asn1.Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
/** A DER SEQUENCE of parts already encoded (X.690 8.1.3: the length in short form, or in long form). */
function derSequence(parts: Buffer[]): Buffer {
  const n = parts.reduce((sum, p) => sum + p.length, 0);
  const long: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) long.unshift(rest % 256);
  return Buffer.concat([Buffer.of(0x30, ...(n < 0x80 ? [n] : [0x80 | long.length, ...long])), ...parts]);
}

/** SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1), as forge's certificates also had it. */
function keyIdentifierOf(bits: Buffer): string {
  return createHash('sha1').update(bits).digest('hex');
}

/** keyIdentifierOf a public key read from its SubjectPublicKeyInfo. */
function keyIdentifier(publicKey: KeyObject): string {
  // Bit strings left as bytes: forge would otherwise parse an RSA key's (it is DER itself) into nodes.
  const der = publicKey.export({ type: 'spki', format: 'der' }).toString('binary');
  const spki = fromDerWith(forge.util.createBuffer(der), { decodeBitStrings: false });
  const bits = (spki.value as forge.asn1.Asn1[])[1].value as string;
  return keyIdentifierOf(Buffer.from(bits.slice(1), 'binary'));
}

function algorithm(key: KeyObject): forge.asn1.Asn1 {
  const ec = key.asymmetricKeyType === 'ec';
  const oid = asn1.create(UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(ec ? SIGNATURE_OIDS.ec : SIGNATURE_OIDS.rsa).getBytes());
  // ecdsa-with-SHA256 has no parameters (RFC 5758); sha256WithRSAEncryption a NULL.
  return asn1.create(UNIVERSAL, SEQUENCE, true, ec ? [oid] : [oid, asn1.create(UNIVERSAL, asn1.Type.NULL, false, '')]);
}

function time(date: Date): forge.asn1.Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function serialNumber(): string {
  // Positive (high bit clear), 128 bits of randomness.
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('binary');
}

function subjectName(commonName: string): forge.asn1.Asn1 {
  const holder = forge.pki.createCertificate();
  holder.setSubject([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'webstack-operator' }]);
  return pki.distinguishedNameToAsn1(holder.subject);
}

/** A moment as a certificate's validity holds it: to the second (UTCTime and GeneralizedTime alike). */
const toSecond = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

/**
 * A certificate for the P-256 public key `point`, named `subject`, valid `days` from `now`, signed by `signer`
 * (itself for a CA), for `dnsNames`. `extensions` in forge's notation. Its facts are kept with it (see certificateFacts).
 */
async function certificate(point: Buffer, subject: forge.asn1.Asn1, signer: Signer, now: Date, days: number, dnsNames: readonly string[],
  extensions: unknown[]): Promise<string> {
  const notBefore = toSecond(now.getTime() - BACKDATE_MS);
  const notAfter = toSecond(now.getTime() + days * DAY_MS);
  const forgeCert = forge.pki.createCertificate();
  forgeCert.setExtensions(extensions as never[]);
  const signatureAlgorithm = algorithm(signer.key);
  const tbs = asn1.create(UNIVERSAL, SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(UNIVERSAL, asn1.Type.INTEGER, false, String.fromCharCode(2))]),
    asn1.create(UNIVERSAL, asn1.Type.INTEGER, false, serialNumber()),
    signatureAlgorithm,
    signer.name,
    asn1.create(UNIVERSAL, SEQUENCE, true, [time(notBefore), time(notAfter)]),
    subject,
    // SubjectPublicKeyInfo (RFC 5480 2): the algorithm, then the point as a BIT STRING with no unused bits.
    asn1.create(UNIVERSAL, SEQUENCE, true, [
      fromDer(P256_KEY_ALGORITHM), asn1.create(UNIVERSAL, asn1.Type.BITSTRING, false, `\0${point.toString('binary')}`),
    ]),
    pki.certificateExtensionsToAsn1(forgeCert.extensions),
  ]);
  const tbsDer = toDer(tbs);
  const signature = await signed('sha256', tbsDer, signer.key);
  // The certificate names its signature algorithm twice (RFC 5280 4.1.1.2): the same identifier. The
  // TBSCertificate goes in as signed, not encoded a second time.
  const pem = pemBlock('CERTIFICATE', derSequence([
    tbsDer, toDer(signatureAlgorithm), toDer(asn1.create(UNIVERSAL, asn1.Type.BITSTRING, false, `\0${signature.toString('binary')}`)),
  ]));
  keepFacts(pem, madeFacts(pem, notBefore, notAfter, dnsNames));
  return `${pem}\n`;
}

/** A new P-256 key with its public half as a certificate carries it and as its key identifier names it. */
interface NewKey {
  privateKey: KeyObject;
  /** The uncompressed point (SEC 1 2.3.3): the subjectPublicKey bits. */
  point: Buffer;
  keyIdentifier: string;
  pem: string;
}

/**
 * The algorithm of every P-256 key: SEQUENCE { id-ecPublicKey, prime256v1 } (RFC 5480 2.1.1). node:crypto's
 * own SPKI export costs more than making the key; its JWK export gives the point almost for free.
 */
const P256_KEY_ALGORITHM = Buffer.from('301306072a8648ce3d020106082a8648ce3d030107', 'hex');
/**
 * A P-256 private key as PKCS #8 (RFC 5208, 5915) holds it, as OpenSSL encodes it: SEQUENCE { 0, the
 * SPKI's algorithm, OCTET STRING { ECPrivateKey SEQUENCE { 1, OCTET STRING d (32 bytes), [1] BIT STRING
 * point } } }, in two parts around d. OpenSSL's PEM export of it cost more than making the key.
 */
const P256_PKCS8_BEFORE_D = Buffer.concat([Buffer.from('308187020100', 'hex'), P256_KEY_ALGORITHM, Buffer.from('046d306b0201010420', 'hex')]);
const P256_PKCS8_BEFORE_POINT = Buffer.from('a144034200', 'hex');

/** A new P-256 private key, made on the thread pool. */
const newEcPrivateKey = () => new Promise<KeyObject>((resolve, reject) => {
  generateKeyPair('ec', { namedCurve: 'P-256' }, (err, _publicKey, privateKey) => (err ? reject(err) : resolve(privateKey)));
});
/** The signature of `data`, made on the thread pool. */
const signed = (algorithm: string, data: Buffer, key: KeyObject) => new Promise<Buffer>((resolve, reject) => {
  sign(algorithm, data, key, (err, signature) => (err ? reject(err) : resolve(signature)));
});

/** Text in PEM's armor (RFC 7468): base64 in lines of 64. */
const pemBlock = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----`;

/**
 * Made without generateKeyPair's encodings: Node encodes them on the JavaScript thread once the key
 * is made, at OpenSSL's cost (0.08 ms for PKCS #8, more for SPKI, against 0.005 ms for the JWK export).
 */
async function newKey(): Promise<NewKey> {
  const privateKey = await newEcPrivateKey();
  const { d, x, y } = privateKey.export({ format: 'jwk' });
  // JWK pads d, x and y to 32 bytes.
  const point = Buffer.concat([Buffer.of(4), Buffer.from(x!, 'base64url'), Buffer.from(y!, 'base64url')]);
  const pkcs8 = Buffer.concat([P256_PKCS8_BEFORE_D, Buffer.from(d!, 'base64url'), P256_PKCS8_BEFORE_POINT, point]);
  return {
    privateKey, point, keyIdentifier: keyIdentifierOf(point),
    pem: `${pemBlock('PRIVATE KEY', pkcs8)}\n`,
  };
}

/**
 * The signers of CAs made by this process, kept with the CA they made: a new stack's server certificate
 * is signed without parsing the CA certificate just made or loading its key again.
 */
const newSigners = new WeakMap<KeyPair, Signer>();

/** A self-signed CA for one stack: it signs only that stack's server certificates. */
export async function newCertificateAuthority(commonName: string, now: Date): Promise<KeyPair> {
  const key = await newKey();
  const signer: Signer = { key: key.privateKey, name: subjectName(commonName), keyIdentifier: key.keyIdentifier };
  const cert = await certificate(key.point, signer.name, signer, now, CA_LIFETIME_DAYS, [], [
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    subjectKeyIdentifierExtension(key.keyIdentifier),
  ]);
  const ca = { certificate: cert, privateKey: key.pem };
  newSigners.set(ca, signer);
  return ca;
}

/** The signer of a CA read back from its Secret (its key may be an older RSA key). */
function storedSigner(ca: KeyPair): Signer {
  const caCert = new X509Certificate(ca.certificate);
  const caTbs = (fromDer(caCert.raw).value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  // TBSCertificate: [0] version, serial, signature, issuer, validity, subject (index 5), ...
  return { key: createPrivateKey(ca.privateKey), name: caTbs[5], keyIdentifier: keyIdentifier(caCert.publicKey) };
}

/** A server certificate for `dnsNames` (wildcards allowed), signed by `ca`. */
export async function issueServerCertificate(ca: KeyPair, commonName: string, dnsNames: readonly string[], now: Date): Promise<KeyPair> {
  const signer = newSigners.get(ca) ?? storedSigner(ca);
  const key = await newKey();
  const cert = await certificate(key.point, subjectName(commonName), signer, now, SERVER_LIFETIME_DAYS, dnsNames, [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
    subjectKeyIdentifierExtension(key.keyIdentifier),
    { name: 'authorityKeyIdentifier', keyIdentifier: Buffer.from(signer.keyIdentifier, 'hex').toString('binary') },
  ]);
  return { certificate: cert, privateKey: key.pem };
}

/** What rotation needs to know about one certificate, read with node:crypto. */
export interface CertificateFacts {
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  /** The certificate as node:crypto parsed it, to check signatures. */
  x509: X509Certificate;
}

/** The PEM blocks of a bundle, in order. */
export function splitPemBundle(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * The last few certificates parsed or made: one decision reads the same CA several times (its plan, the
 * server's, the bundle), and a new stack's decision reads what it has just made (parsing costs about 0.4 ms).
 */
const recentFacts = new Map<string, CertificateFacts | undefined>();
const RECENT_FACTS_MAX = 8;

function keepFacts(pem: string, facts: CertificateFacts | undefined): void {
  if (recentFacts.size >= RECENT_FACTS_MAX) recentFacts.delete(recentFacts.keys().next().value!);
  recentFacts.set(pem, facts);
}

/** The facts of a certificate made here, as it encodes them; node:crypto parses it only when a check needs it. */
function madeFacts(pem: string, notBefore: Date, notAfter: Date, dnsNames: readonly string[]): CertificateFacts {
  let x509: X509Certificate | undefined;
  return {
    notBefore, notAfter, dnsNames: [...dnsNames],
    get x509() {
      x509 ??= new X509Certificate(pem);
      return x509;
    },
  };
}

/** Parses the first certificate of `pem`; undefined when there is none or it is malformed. */
export function certificateFacts(pem: string | undefined): CertificateFacts | undefined {
  const first = pem ? splitPemBundle(pem)[0] : undefined;
  if (!first) return undefined;
  if (recentFacts.has(first)) return recentFacts.get(first);
  const facts = parseCertificate(first);
  keepFacts(first, facts);
  return facts;
}

function parseCertificate(first: string): CertificateFacts | undefined {
  try {
    const x509 = new X509Certificate(first);
    const dnsNames = (x509.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
    return { notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo), dnsNames, x509 };
  } catch {
    return undefined;
  }
}

/** True when `privateKeyPem` is the private half of the certificate's public key. */
export function keyMatches(facts: CertificateFacts, privateKeyPem: string | undefined): boolean {
  if (!privateKeyPem) return false;
  try {
    return facts.x509.checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch {
    return false;
  }
}
