/**
 * The certificates a test cluster needs: one CA that signs the API server's serving
 * certificate and the users' client certificates. ECDSA P-256 through WebCrypto, so nothing
 * outside Node is needed to mint a user at any time.
 */
// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;

// Node's WebCrypto is the standard one; only its type names differ from the DOM's `Crypto`, which
// exists in some of the projects that compile this file and not in others.
x509.cryptoProvider.set(webcrypto as never);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface KeyPairPem {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateAuthority extends KeyPairPem {
  /** A certificate signed by this CA. */
  issue(request: IssueRequest): Promise<KeyPairPem>;
}

export interface IssueRequest {
  /** The subject's common name: the user name for client certificates. */
  readonly commonName: string;
  /** Organizations: the groups of a client certificate. */
  readonly organizations?: readonly string[];
  readonly usage: 'server' | 'client';
  /** Subject alternative names of a serving certificate. */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function serialNumber(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

function distinguishedName(commonName: string, organizations: readonly string[] = []): string {
  const escape = (value: string): string => value.replace(/([,+"\\<>;=])/g, '\\$1');
  return [`CN=${escape(commonName)}`, ...organizations.map((organization) => `O=${escape(organization)}`)].join(', ');
}

/** A new self-signed CA, valid for a year (a test cluster lives minutes). */
export async function createCertificateAuthority(commonName: string): Promise<CertificateAuthority> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName),
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const caCertPem = certificate.toString('pem');
  return {
    certPem: caCertPem,
    keyPem: await keyPem(keys.privateKey),
    async issue(request) {
      const subjectKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
      const names = [
        ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ];
      const issued = await x509.X509CertificateGenerator.create({
        serialNumber: serialNumber(),
        subject: distinguishedName(request.commonName, request.organizations),
        issuer: certificate.subject,
        notBefore: new Date(Date.now() - DAY_MS),
        notAfter: new Date(Date.now() + 365 * DAY_MS),
        signingAlgorithm: ALGORITHM,
        publicKey: subjectKeys.publicKey,
        signingKey: keys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          new x509.ExtendedKeyUsageExtension([request.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
          await x509.AuthorityKeyIdentifierExtension.create(certificate),
          ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
        ],
      });
      return { certPem: issued.toString('pem'), keyPem: await keyPem(subjectKeys.privateKey) };
    },
  };
}

/** A key pair for signing service-account tokens: the private key (PKCS#8) and the public key (SPKI), both PEM. */
export async function createSigningKeyPair(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const spki = await webcrypto.subtle.exportKey('spki', keys.publicKey);
  return { privateKeyPem: await keyPem(keys.privateKey), publicKeyPem: x509.PemConverter.encode(spki, 'PUBLIC KEY') };
}
