/**
 * Decodes the protobuf bodies kubectl sends for built-in kinds (`kubectl create configmap`,
 * `create secret`, `create deployment`): the `k8s\0` envelope around a runtime.Unknown, and the
 * object inside it, read with the field tables generated from Kubernetes' own generated.proto
 * (see scripts/protobuf-descriptors.mjs), into the JSON the same object has.
 */
import { kubeTime } from '../object.js';

/** [field number, JSON name, type, repeated (1/0), keep a zero value (1/0: a Go pointer or a field without omitempty)] */
export type FieldDescriptor = readonly [number, string, string, number, number];
export type MessageDescriptors = Readonly<Record<string, readonly FieldDescriptor[]>>;

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

export class ProtobufError extends Error {}

class Reader {
  offset = 0;
  constructor(readonly bytes: Buffer) {}
  get done(): boolean {
    return this.offset >= this.bytes.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.bytes[this.offset++];
      if (byte === undefined) throw new ProtobufError('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtobufError('varint too long');
    }
  }
  take(length: number): Buffer {
    if (this.offset + length > this.bytes.length) throw new ProtobufError('truncated field');
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}

type Raw = { wire: 0; value: bigint } | { wire: 1 | 5 | 2; value: Buffer };

/** A message's fields by number, in the order they came. */
function readFields(bytes: Buffer): Map<number, Raw[]> {
  const reader = new Reader(bytes);
  const fields = new Map<number, Raw[]>();
  while (!reader.done) {
    const key = Number(reader.varint());
    const number = key >>> 3;
    const wire = key & 7;
    let raw: Raw;
    if (wire === 0) raw = { wire, value: reader.varint() };
    else if (wire === 1) raw = { wire, value: reader.take(8) };
    else if (wire === 5) raw = { wire, value: reader.take(4) };
    else if (wire === 2) raw = { wire, value: reader.take(Number(reader.varint())) };
    else throw new ProtobufError(`unsupported wire type ${wire}`);
    fields.set(number, [...(fields.get(number) ?? []), raw]);
  }
  return fields;
}

const NUMERIC = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'double', 'float', 'bool']);

function scalar(type: string, raw: Raw): unknown {
  if (raw.wire === 0) {
    if (type === 'bool') return raw.value !== 0n;
    if (type === 'sint32' || type === 'sint64') return Number((raw.value >> 1n) ^ -(raw.value & 1n));
    if (type === 'uint32' || type === 'uint64') return Number(raw.value);
    return Number(BigInt.asIntN(64, raw.value));
  }
  if (raw.wire === 1) return type === 'double' ? raw.value.readDoubleLE(0) : Number(raw.value.readBigInt64LE(0));
  if (raw.wire === 5) return type === 'float' ? raw.value.readFloatLE(0) : raw.value.readInt32LE(0);
  if (type === 'string') return raw.value.toString('utf8');
  if (type === 'bytes') return raw.value.toString('base64');
  throw new ProtobufError(`field of type ${type} has wire type 2`);
}

/** Packed repeated numbers arrive as one length-delimited field. */
function unpack(type: string, raw: Raw): Raw[] {
  if (raw.wire !== 2 || !NUMERIC.has(type)) return [raw];
  const reader = new Reader(raw.value);
  const out: Raw[] = [];
  const width = type === 'double' || type === 'fixed64' ? 8 : type === 'float' || type === 'fixed32' ? 4 : 0;
  while (!reader.done) out.push(width === 0 ? { wire: 0, value: reader.varint() } : { wire: width === 8 ? 1 : 5, value: reader.take(width) });
  return out;
}

const isZero = (value: unknown): boolean => value === '' || value === 0 || value === false;

/** Messages whose JSON form is not an object of their fields. */
function special(type: string, fields: Record<string, unknown>): unknown {
  switch (type) {
    case `${META}.Time`: {
      const seconds = Number(fields['seconds'] ?? 0);
      return seconds === 0 && !fields['nanos'] ? undefined : kubeTime(new Date(seconds * 1000));
    }
    case `${META}.MicroTime`: {
      const seconds = Number(fields['seconds'] ?? 0);
      const nanos = Number(fields['nanos'] ?? 0);
      if (seconds === 0 && nanos === 0) return undefined;
      return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
    }
    case `${META}.Duration`:
      return `${Number(fields['duration'] ?? 0) / 1e9}s`;
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
      return fields['string'] ?? '0';
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      return fields['type'] === 1 ? (fields['strVal'] ?? '') : (fields['intVal'] ?? 0);
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
    case `${META}.FieldsV1`: {
      const raw = fields['raw'] ?? fields['Raw'];
      return typeof raw === 'string' && raw !== '' ? (JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as unknown) : {};
    }
    default:
      return fields;
  }
}

function decodeMessage(messages: MessageDescriptors, type: string, bytes: Buffer, depth: number): unknown {
  if (depth > 64) throw new ProtobufError('message nested too deeply');
  const descriptor = messages[type];
  if (descriptor === undefined) throw new ProtobufError(`no descriptor for ${type}`);
  const fields = readFields(bytes);
  const out: Record<string, unknown> = {};
  for (const [number, name, fieldType, repeated, keepZero] of descriptor) {
    const raws = fields.get(number);
    if (raws === undefined) continue;
    const map = /^map<(\w+),(.+)>$/.exec(fieldType);
    if (map) {
      const [, keyType = 'string', valueType = 'string'] = map;
      const entries: Record<string, unknown> = {};
      for (const raw of raws) {
        if (raw.wire !== 2) throw new ProtobufError(`map ${name} entry is not length-delimited`);
        const entry = readFields(raw.value);
        const key = entry.get(1)?.[0];
        const value = entry.get(2)?.[0];
        const keyText = key === undefined ? '' : String(scalar(keyType, key));
        entries[keyText] = value === undefined ? (valueType === 'string' || valueType === 'bytes' ? '' : 0) : decodeValue(messages, valueType, value, depth);
      }
      out[name] = entries;
      continue;
    }
    const values = raws.flatMap((raw) => unpack(fieldType, raw)).map((raw) => decodeValue(messages, fieldType, raw, depth));
    if (repeated) {
      out[name] = values;
      continue;
    }
    const value = values[values.length - 1];
    if (value === undefined) continue;
    if (isZero(value) && !keepZero) continue;
    out[name] = value;
  }
  return special(type, out);
}

function decodeValue(messages: MessageDescriptors, type: string, raw: Raw, depth: number): unknown {
  if (!type.includes('.')) return scalar(type, raw);
  if (raw.wire !== 2) throw new ProtobufError(`message ${type} is not length-delimited`);
  return decodeMessage(messages, type, raw.value, depth + 1);
}

/** The message of a built-in kind: `apps/v1` Deployment -> `k8s.io.api.apps.v1.Deployment`. */
function messageOf(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'meta.k8s.io' || kind === 'DeleteOptions') return `${META}.${kind}`;
  return `k8s.io.api.${group === '' ? 'core' : (group ?? '')}.${version ?? ''}.${kind}`;
}

/** A `application/vnd.kubernetes.protobuf` body as the JSON object it encodes, `apiVersion` and `kind` included. */
export function decodeKubernetesProtobuf(messages: MessageDescriptors, body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw new ProtobufError('the body does not start with the protobuf envelope prefix');
  const unknown = readFields(body.subarray(MAGIC.length));
  const typeMeta = unknown.get(1)?.[0];
  const raw = unknown.get(2)?.[0];
  if (typeMeta?.wire !== 2 || raw?.wire !== 2) throw new ProtobufError('the envelope has no type or no object');
  const typeFields = readFields(typeMeta.value);
  const text = (r: Raw | undefined): string => (r?.wire === 2 ? r.value.toString('utf8') : '');
  const apiVersion = text(typeFields.get(1)?.[0]);
  const kind = text(typeFields.get(2)?.[0]);
  const type = messageOf(apiVersion, kind);
  if (messages[type] === undefined) throw new ProtobufError(`${apiVersion} ${kind} has no protobuf encoding here`);
  const object = decodeMessage(messages, type, raw.value, 0) as Record<string, unknown>;
  return { apiVersion, kind, ...object };
}
