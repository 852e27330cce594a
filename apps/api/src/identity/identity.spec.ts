import { PROTOCOL_VERSION } from '@tandem/sync';
import { describe, expect, it } from 'vitest';
import { identify } from './identity.js';

describe(identify.name, () => {
  it('accepts a valid user speaking this protocol', () => {
    expect(identify({ user: 'alice', protocol: PROTOCOL_VERSION })).toEqual({ identity: { user: 'alice' } });
  });

  it('rejects a missing or malformed user as unauthenticated, naming the field', () => {
    expect(identify({ protocol: PROTOCOL_VERSION })).toMatchObject({ rejection: { code: 'unauthenticated', message: expect.stringMatching(/^unauthenticated: user/) } });
    expect(identify(undefined)).toMatchObject({ rejection: { code: 'unauthenticated' } });
    expect(identify({ user: 'a b', protocol: PROTOCOL_VERSION })).toMatchObject({ rejection: { code: 'unauthenticated' } });
  });

  it('rejects another protocol version, naming both', () => {
    expect(identify({ user: 'alice', protocol: PROTOCOL_VERSION + 1 })).toEqual({
      rejection: { code: 'protocol-mismatch', message: `protocol-mismatch: server speaks ${PROTOCOL_VERSION}, client sent ${PROTOCOL_VERSION + 1}` },
    });
  });
});
