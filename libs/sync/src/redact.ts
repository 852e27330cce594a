/**
 * Secret redaction for the edit history (DESIGN rule 8): values under a Secret's `data` and
 * `stringData`, and annotations that embed the object (kubectl's last-applied-configuration), are
 * replaced by a SHA-256 marker before an entry is stored or sent, so the history
 * still shows that a value changed without holding the value. Hashing is a small pure SHA-256
 * (below) so the browser bundle can run it without Node's crypto.
 */
import { parsePath, type FieldPath } from './field-path.js';
import type { FieldChange } from './diff.js';
import { isJsonObject, setKey, type JsonObject, type JsonValue } from './json.js';

/** Where a Secret keeps its values. */
export const SECRET_VALUE_FIELDS = ['data', 'stringData'] as const;

/** The annotation `kubectl apply` writes: the whole applied object, Secret values included. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** What a redacted value becomes. */
export interface RedactedValue extends JsonObject {
  readonly redacted: true;
  /** Hex SHA-256 of the salt, then the value's JSON text: equal values give equal hashes within one salt. */
  readonly sha256: string;
}

export interface RedactionOptions {
  /**
   * Prepended to every hashed value so short secrets cannot be found by hashing guesses; hashes
   * compare only under the same salt.
   */
  readonly salt?: string;
}

export function isRedactedValue(value: JsonValue | undefined): value is RedactedValue {
  return isJsonObject(value) && value['redacted'] === true && typeof value['sha256'] === 'string';
}

/**
 * Whether an annotation of a Secret may carry its values: kubectl's last-applied-configuration, or
 * any value written as an object or list (`{...}`, `[...]`: tools that copy the object into an
 * annotation write it as JSON). Such values are hashed whole.
 */
export function annotationEmbedsObject(key: string, value: JsonValue | undefined): boolean {
  if (key === LAST_APPLIED_ANNOTATION) return true;
  if (typeof value !== 'string') return false;
  // Parsing is not needed (and text cut short is not JSON but may still hold values): the shape decides.
  const text = value.trim();
  return text.startsWith('{') || text.startsWith('[');
}

/**
 * Returns `changes` with every Secret value replaced by a `RedactedValue`: a change at or under
 * `data`/`stringData`, or at an annotation that embeds the object, has its before/after redacted; a
 * change above them (the root, `metadata`, `metadata.annotations`) has the values inside its
 * before/after redacted. Changes of any other kind are returned as they are.
 */
export function redactSecretChanges(changes: readonly FieldChange[], kind: string, options: RedactionOptions = {}): FieldChange[] {
  if (kind !== 'Secret') return [...changes];
  const salt = options.salt ?? '';
  return changes.map((change) => {
    const place = secretPlace(change.path);
    if (place.kind === 'other') return change;
    const redact = (value: JsonValue): JsonValue => {
      switch (place.kind) {
        case 'value':
          return redactValue(value, salt);
        case 'map':
          return redactMap(value, salt);
        case 'root':
          return redactObject(value, salt);
        case 'metadata':
          return redactMetadata(value, salt);
        case 'annotations':
          return redactAnnotations(value, salt);
        case 'annotation':
          return annotationEmbedsObject(place.key, value) ? redactValue(value, salt) : value;
        case 'other':
          return value;
      }
    };
    return {
      path: change.path,
      op: change.op,
      ...(change.before !== undefined ? { before: redact(change.before) } : {}),
      ...(change.after !== undefined ? { after: redact(change.after) } : {}),
    };
  });
}

type SecretPlace =
  | { readonly kind: 'root' | 'map' | 'value' | 'metadata' | 'annotations' | 'other' }
  | { readonly kind: 'annotation'; readonly key: string };

/** Where a path sits relative to the places a Secret's values can be. */
function secretPlace(path: FieldPath): SecretPlace {
  if (path === '') return { kind: 'root' };
  const [first, second, third, ...rest] = parsePath(path);
  if (first?.type !== 'key') return { kind: 'other' };
  if ((SECRET_VALUE_FIELDS as readonly string[]).includes(first.key)) return { kind: second === undefined ? 'map' : 'value' };
  if (first.key !== 'metadata') return { kind: 'other' };
  if (second === undefined) return { kind: 'metadata' };
  if (second.type !== 'key' || second.key !== 'annotations') return { kind: 'other' };
  if (third === undefined) return { kind: 'annotations' };
  if (third.type !== 'key') return { kind: 'other' };
  // Below one annotation (it was a map, not text): hash whatever is there.
  return rest.length === 0 ? { kind: 'annotation', key: third.key } : { kind: 'value' };
}

function redactValue(value: JsonValue, salt: string): RedactedValue {
  return { redacted: true, sha256: sha256Hex(salt + JSON.stringify(value)) };
}

/** Each key of a `data` map keeps its name; its value is redacted. A non-map is redacted whole. */
function redactMap(value: JsonValue, salt: string): JsonValue {
  if (!isJsonObject(value)) return redactValue(value, salt);
  const redacted: JsonObject = {};
  for (const [key, entry] of Object.entries(value)) setKey(redacted, key, redactValue(entry, salt));
  return redacted;
}

/** Annotations keep their names; those that may embed the object are hashed. */
function redactAnnotations(value: JsonValue, salt: string): JsonValue {
  if (!isJsonObject(value)) return value;
  const redacted: JsonObject = {};
  for (const [key, entry] of Object.entries(value)) setKey(redacted, key, annotationEmbedsObject(key, entry) || !isScalar(entry) ? redactValue(entry, salt) : entry);
  return redacted;
}

function isScalar(value: JsonValue): boolean {
  return typeof value !== 'object' || value === null;
}

function redactMetadata(value: JsonValue, salt: string): JsonValue {
  if (!isJsonObject(value)) return value;
  const annotations = value['annotations'];
  if (annotations === undefined) return value;
  const redacted: JsonObject = { ...value };
  setKey(redacted, 'annotations', redactAnnotations(annotations, salt));
  return redacted;
}

function redactObject(value: JsonValue, salt: string): JsonValue {
  if (!isJsonObject(value)) return value;
  const redacted: JsonObject = { ...value };
  for (const field of SECRET_VALUE_FIELDS) {
    const map = value[field];
    if (map !== undefined) redacted[field] = redactMap(map, salt);
  }
  const metadata = value['metadata'];
  if (metadata !== undefined) redacted['metadata'] = redactMetadata(metadata, salt);
  return redacted;
}

// ---------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4) over the UTF-8 bytes of a string.

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
  0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
  0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as TextEncoder does); sync has no DOM or Node globals. */
function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else code = 0xfffd;
    } else if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  }
  return Uint8Array.from(out);
}

/** Hex SHA-256 of a string's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  const bytes = utf8(text);
  const bitLength = bytes.length * 8;
  const padded = new Uint8Array(Math.ceil((bytes.length + 9) / 64) * 64);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 2 ** 32));
  view.setUint32(padded.length - 4, bitLength >>> 0);
  const hash = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const w15 = w[i - 15] ?? 0;
      const w2 = w[i - 2] ?? 0;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      w[i] = ((w[i - 16] ?? 0) + s0 + (w[i - 7] ?? 0) + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, h] = [hash[0] ?? 0, hash[1] ?? 0, hash[2] ?? 0, hash[3] ?? 0, hash[4] ?? 0, hash[5] ?? 0, hash[6] ?? 0, hash[7] ?? 0];
    for (let i = 0; i < 64; i++) {
      const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + (K[i] ?? 0) + (w[i] ?? 0)) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    const next = [a, b, c, d, e, f, g, h];
    for (let i = 0; i < 8; i++) hash[i] = ((hash[i] ?? 0) + (next[i] ?? 0)) >>> 0;
  }
  return [...hash].map((word) => word.toString(16).padStart(8, '0')).join('');
}
