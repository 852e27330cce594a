import { PROTOCOL_VERSION } from '@tandem/sync';
import { describe, expect, it } from 'vitest';
import { checkHandshake } from './identity.js';

describe(checkHandshake.name, () => {
  it('accepts this protocol, with or without a typed-in user', () => {
    expect(checkHandshake({ user: 'alice', protocol: PROTOCOL_VERSION })).toEqual({ typedUser: 'alice' });
    expect(checkHandshake({ protocol: PROTOCOL_VERSION })).toEqual({ typedUser: undefined });
  });

  it('rejects a malformed payload as unauthenticated, naming the field', () => {
    expect(checkHandshake(undefined)).toMatchObject({ rejection: { code: 'unauthenticated' } });
    expect(checkHandshake({ user: 'a b', protocol: PROTOCOL_VERSION })).toMatchObject({ rejection: { code: 'unauthenticated', message: expect.stringMatching(/^unauthenticated: user/) } });
  });

  it('rejects another protocol version, naming both', () => {
    expect(checkHandshake({ user: 'alice', protocol: PROTOCOL_VERSION + 1 })).toEqual({
      rejection: { code: 'protocol-mismatch', message: `protocol-mismatch: server speaks ${PROTOCOL_VERSION}, client sent ${PROTOCOL_VERSION + 1}` },
    });
  });
});
