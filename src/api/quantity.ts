/**
 * Kubernetes resource quantities in their canonical form, as kube-apiserver stores them: "0.5" is
 * stored as "500m", "1024Mi" as "1Gi", "1000m" as "1". Clients that compare what they sent with
 * what they read (the operator does) must see the same strings as on a real cluster. Pure.
 */

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

interface Parsed {
  /** The value in units of 10^-9 (kube keeps nano precision, rounding finer values up). */
  nanos: bigint;
  format: Format;
}

const pow = (base: bigint, n: number): bigint => base ** BigInt(n);

function parse(text: string): Parsed | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, number, suffix, exponent] = m;
  const [whole, fraction = ''] = number.split('.');
  const digits = BigInt(`${whole || '0'}${fraction}`);
  let numerator = digits * pow(10n, 9);
  let denominator = pow(10n, fraction.length);
  let format: Format = 'DecimalSI';
  if (exponent !== undefined) {
    format = 'DecimalExponent';
    const e = Number(exponent);
    if (e >= 0) numerator *= pow(10n, e);
    else denominator *= pow(10n, -e);
  } else if (suffix && BINARY_SUFFIXES.includes(suffix)) {
    format = 'BinarySI';
    numerator *= pow(1024n, BINARY_SUFFIXES.indexOf(suffix));
  } else {
    const e = DECIMAL_SUFFIXES[suffix ?? ''];
    if (e >= 0) numerator *= pow(10n, e);
    else denominator *= pow(10n, -e);
  }
  const nanos = (numerator + denominator - 1n) / denominator;
  return { nanos: sign === '-' ? -nanos : nanos, format };
}

function decimal(nanos: bigint, format: Format): string {
  const negative = nanos < 0n;
  let mantissa = negative ? -nanos : nanos;
  let exponent = -9;
  while (exponent < 18 && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exponent += 3;
  }
  const suffix = format === 'DecimalExponent' ? (exponent === 0 ? '' : `e${exponent}`) : Object.keys(DECIMAL_SUFFIXES).find((s) => DECIMAL_SUFFIXES[s] === exponent)!;
  return `${negative ? '-' : ''}${mantissa}${suffix}`;
}

function binary(units: bigint): string {
  const negative = units < 0n;
  let mantissa = negative ? -units : units;
  let power = 0;
  while (power < BINARY_SUFFIXES.length - 1 && mantissa % 1024n === 0n) {
    mantissa /= 1024n;
    power++;
  }
  return `${negative ? '-' : ''}${mantissa}${BINARY_SUFFIXES[power]}`;
}

/** A quantity in billionths of its unit, for comparing two; undefined when the text is not a quantity. */
export function quantityNanos(text: string): bigint | undefined {
  return parse(text.trim())?.nanos;
}

/** The canonical text of a quantity; text that is not a quantity comes back unchanged. */
export function canonicalQuantity(text: string): string {
  const q = parse(text.trim());
  if (!q) return text;
  if (q.nanos === 0n) return '0';
  const billion = pow(10n, 9);
  // Binary form only for whole numbers of at least 1024 in size; anything else would round, so kube shows it in decimal.
  const whole = q.nanos % billion === 0n;
  const small = q.nanos > -1024n * billion && q.nanos < 1024n * billion;
  if (q.format === 'BinarySI' && whole && !small) return binary(q.nanos / billion);
  return decimal(q.nanos, q.format === 'BinarySI' ? 'DecimalSI' : q.format);
}
