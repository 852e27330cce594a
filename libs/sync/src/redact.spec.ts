import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FieldChange } from './diff.js';
import { isRedactedValue, redactSecretChanges, sha256Hex } from './redact.js';

const nodeSha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex', () => {
  it('matches Node crypto for empty, ASCII, multi-block and non-ASCII input', () => {
    for (const text of ['', 'abc', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(1_000), 'pässwörd ✓ 🔑', '\ud800 lone']) {
      expect(sha256Hex(text), JSON.stringify(text.slice(0, 20))).toBe(nodeSha256(text));
    }
  });
});

describe('redactSecretChanges', () => {
  const secretChanges: FieldChange[] = [
    { path: 'data.password', op: 'replace', before: 'czNjcjN0', after: 'bjN3LXMzY3IzdA==' },
    { path: 'stringData.token', op: 'add', after: 'plain-token' },
    { path: 'data', op: 'add', after: { username: 'YWRtaW4=' } },
    { path: '', op: 'replace', before: { kind: 'Secret', data: { a: 'b2xk' } }, after: { kind: 'Secret', data: { a: 'bmV3' }, stringData: { b: 'clear' } } },
    { path: 'metadata.labels.app', op: 'add', after: 'web' },
  ];

  it('leaves no Secret value in clear, keeps key names and other fields, and marks that a value changed', () => {
    const redacted = redactSecretChanges(secretChanges, 'Secret', { salt: 'deployment-salt' });
    const text = JSON.stringify(redacted);
    for (const secret of ['czNjcjN0', 'bjN3LXMzY3IzdA==', 'plain-token', 'YWRtaW4=', 'b2xk', 'bmV3', 'clear']) expect(text).not.toContain(secret);
    const [password, token, data, root, label] = redacted;
    expect(isRedactedValue(password?.before)).toBe(true);
    expect(password?.before).not.toEqual(password?.after);
    expect(token).toEqual({ path: 'stringData.token', op: 'add', after: { redacted: true, sha256: sha256Hex('deployment-salt' + JSON.stringify('plain-token')) } });
    expect(Object.keys(data?.after ?? {})).toEqual(['username']);
    expect(root?.after).toMatchObject({ kind: 'Secret', data: { a: { redacted: true } }, stringData: { b: { redacted: true } } });
    expect(label).toEqual(secretChanges[4]);
  });

  it('hashes the same value the same way under one salt and differently under another', () => {
    const change: FieldChange[] = [{ path: 'data.password', op: 'replace', before: 'c2FtZQ==', after: 'c2FtZQ==' }];
    const [salted] = redactSecretChanges(change, 'Secret', { salt: 'one' });
    const [other] = redactSecretChanges(change, 'Secret', { salt: 'two' });
    expect(salted?.before).toEqual(salted?.after);
    expect(salted?.before).not.toEqual(other?.before);
  });

  it('hashes the annotations that embed the object (kubectl apply), wherever the change sits, and keeps plain ones', () => {
    const applied = (password: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password } });
    const changes: FieldChange[] = [
      { path: 'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]', op: 'replace', before: applied('b2xkLXZhbHVl'), after: applied('bmV3LXZhbHVl') },
      { path: 'metadata.annotations["example.com/copy"]', op: 'add', after: ` {"stringData":{"token":"copied-token"}}` },
      { path: 'metadata.annotations["example.com/owner"]', op: 'add', after: 'team-a' },
      { path: 'metadata.annotations', op: 'add', after: { 'kubectl.kubernetes.io/last-applied-configuration': applied('Zmlyc3Q='), 'example.com/owner': 'team-a' } },
      { path: 'metadata', op: 'replace', before: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': applied('c2Vjb25k') } }, after: { name: 'db' } },
      { path: '', op: 'add', after: { kind: 'Secret', metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': applied('dGhpcmQ=') } }, data: { password: 'dGhpcmQ=' } } },
    ];
    const redacted = redactSecretChanges(changes, 'Secret', { salt: 's' });
    const text = JSON.stringify(redacted);
    for (const secret of ['b2xkLXZhbHVl', 'bmV3LXZhbHVl', 'copied-token', 'Zmlyc3Q=', 'c2Vjb25k', 'dGhpcmQ=']) expect(text).not.toContain(secret);
    expect(isRedactedValue(redacted[0]?.before)).toBe(true);
    expect(redacted[0]?.before).not.toEqual(redacted[0]?.after);
    expect(redacted[2]).toEqual(changes[2]);
    expect(redacted[3]?.after).toMatchObject({ 'example.com/owner': 'team-a', 'kubectl.kubernetes.io/last-applied-configuration': { redacted: true } });
    expect(redacted[4]?.before).toMatchObject({ name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': { redacted: true } } });
  });

  it('leaves every other kind alone, `data` of a ConfigMap included', () => {
    const configMap: FieldChange[] = [{ path: 'data.setting', op: 'replace', before: 'a', after: 'b' }];
    expect(redactSecretChanges(configMap, 'ConfigMap')).toEqual(configMap);
  });
});
