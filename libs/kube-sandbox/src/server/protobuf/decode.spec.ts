import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, ProtobufError } from './decode.js';
import { MESSAGES } from './descriptors.js';

/** What kubectl 1.32 sends for `kubectl create configmap x --from-literal=a=1`. */
const CONFIGMAP = Buffer.from(
  '6b3873000a0f0a0276311209436f6e6669674d6170121b0a110a017812001a0022002a0032003800420012060a016112013' + '11a002200',
  'hex',
);

describe(decodeKubernetesProtobuf.name, () => {
  it('reads kubectl create configmap into the JSON object it stands for', () => {
    expect(decodeKubernetesProtobuf(MESSAGES, CONFIGMAP)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '1' } });
  });

  it('refuses a body without the envelope, and kinds it has no table for', () => {
    expect(() => decodeKubernetesProtobuf(MESSAGES, Buffer.from('{}'))).toThrow(ProtobufError);
    const custom = Buffer.concat([Buffer.from('6b387300', 'hex'), Buffer.from('0a180a0e6578616d706c652e636f6d2f763112065769646765741200', 'hex')]);
    expect(() => decodeKubernetesProtobuf(MESSAGES, custom)).toThrow(/has no protobuf encoding/);
  });
});
