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

  it('leaves every other kind alone, `data` of a ConfigMap included', () => {
    const configMap: FieldChange[] = [{ path: 'data.setting', op: 'replace', before: 'a', after: 'b' }];
    expect(redactSecretChanges(configMap, 'ConfigMap')).toEqual(configMap);
  });
});
