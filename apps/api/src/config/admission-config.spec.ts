import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

describe('admission webhook configuration', () => {
  it('is off by default, on port 4443 of loopback, exempting the control plane\'s groups', () => {
    expect(loadConfig({}).admission).toMatchObject({ mode: 'off', host: '127.0.0.1', port: 4443, certificate: undefined, context: 'in-cluster', exemptGroups: ['system:serviceaccounts:kube-system', 'system:nodes'] });
  });

  it('treats empty lists as unset', () => {
    expect(loadConfig({ TANDEM_ADMISSION_RESOURCES: ' ', TANDEM_ADMISSION_EXEMPT_GROUPS: '' }).admission).toMatchObject({ resources: expect.arrayContaining(['deployments.apps']), exemptGroups: ['system:serviceaccounts:kube-system', 'system:nodes'] });
  });

  it.each([
    [{ TANDEM_ADMISSION: 'block' }, /TANDEM_ADMISSION="block": must be "off", "warn" or "enforce"/],
    [{ TANDEM_ADMISSION_CERT_FILE: '/tls.crt' }, /TANDEM_ADMISSION_CERT_FILE and TANDEM_ADMISSION_KEY_FILE go together/],
    [{ TANDEM_ADMISSION_URL: 'http://tandem:4443/validate' }, /TANDEM_ADMISSION_URL="http:\/\/tandem:4443\/validate": must be an https:\/\/ URL/],
    [{ TANDEM_ADMISSION_NAMESPACE_SELECTOR: 'team=shop' }, /TANDEM_ADMISSION_NAMESPACE_SELECTOR="team=shop": must be a label selector as JSON/],
    [{ TANDEM_ADMISSION_OBJECT_SELECTOR: '{"matchLabel":{}}' }, /TANDEM_ADMISSION_OBJECT_SELECTOR=.*must be a label selector as JSON/],
    [{ TANDEM_ADMISSION_RESOURCES: 'Deployments' }, /TANDEM_ADMISSION_RESOURCES="Deployments": must list resource types as kubectl names them/],
    [{ TANDEM_ADMISSION_PORT: '99999' }, /TANDEM_ADMISSION_PORT="99999": must be at most 65535/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
