/**
 * What legitimately differs between the sandbox and a real kube-apiserver, and how the
 * differential suite takes it out before comparing: server-issued identities and clocks, and the
 * defaults a real server's defaulting and admission write that the sandbox (no defaulting) leaves out.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { TestCluster } from './cluster.js';

export type Json = Record<string, unknown>;

/** Identity and clock fields: compared for presence only. */
const OPAQUE_KEYS = new Set(['uid', 'creationTimestamp', 'resourceVersion', 'lastTransitionTime', 'lastUpdateTime', 'lastProbeTime', 'lastHeartbeatTime', 'time', 'storageVersionHash', 'continue']);

/**
 * Fields a real API server fills in by defaulting or admission, which the sandbox does not write.
 * Paths are dotted; `*` stands for any list item or map key.
 */
export const SERVER_DEFAULTS: readonly string[] = [
  'metadata.managedFields.*.fieldsV1',
  'metadata.managedFields.*.apiVersion',
  'metadata.labels.kubernetes\\.io/metadata\\.name',
  'spec.finalizers',
  'spec.strategy',
  'spec.revisionHistoryLimit',
  'spec.progressDeadlineSeconds',
  'spec.template.metadata.creationTimestamp',
  'spec.template.spec.restartPolicy',
  'spec.template.spec.terminationGracePeriodSeconds',
  'spec.template.spec.dnsPolicy',
  'spec.template.spec.securityContext',
  'spec.template.spec.schedulerName',
  'spec.template.spec.containers.*.terminationMessagePath',
  'spec.template.spec.containers.*.terminationMessagePolicy',
  'spec.template.spec.containers.*.imagePullPolicy',
  'spec.template.spec.containers.*.resources',
  'spec.template.spec.containers.*.ports.*.protocol',
  'spec.template.spec.containers.*.env.*.valueFrom.fieldRef.apiVersion',
  'spec.template.spec.volumes.*.configMap.defaultMode',
  'spec.template.spec.volumes.*.secret.defaultMode',
  'spec.clusterIP',
  'spec.clusterIPs',
  'spec.ipFamilies',
  'spec.ipFamilyPolicy',
  'spec.sessionAffinity',
  'spec.internalTrafficPolicy',
  'spec.ports.*.protocol',
  'spec.ports.*.targetPort',
  'type',
  'spec.type',
  'status.loadBalancer',
];

const escapeSplit = (path: string): string[] => path.split(/(?<!\\)\./).map((part) => part.replaceAll('\\.', '.'));

function dropPath(node: unknown, parts: readonly string[]): void {
  const [head, ...rest] = parts;
  if (head === undefined || typeof node !== 'object' || node === null) return;
  const children = Array.isArray(node) ? node : [node];
  if (Array.isArray(node)) {
    if (head !== '*') return;
    for (const item of children) dropPath(item, rest);
    return;
  }
  const record = node as Json;
  const keys = head === '*' ? Object.keys(record) : [head];
  for (const key of keys) {
    if (rest.length === 0) delete record[key];
    else dropPath(record[key], rest);
  }
}

/** An object (or list, Status, event) with opaque values replaced and server defaults removed. */
export function normalise(value: unknown, dropDefaults = true): unknown {
  const copy = structuredClone(value);
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const record = node as Json;
    if (dropDefaults && typeof record['kind'] === 'string' && record['metadata'] !== undefined) for (const path of SERVER_DEFAULTS) dropPath(record, escapeSplit(path));
    const out: Json = {};
    for (const key of Object.keys(record).sort()) {
      const child = record[key];
      if (OPAQUE_KEYS.has(key) && (typeof child === 'string' || typeof child === 'number')) out[key] = `<${key}>`;
      // Messages quote uids and resourceVersions.
      else if (key === 'message' && typeof child === 'string') out[key] = child.replace(UUID, '<uid>').replace(/\((\d+)\)/g, '(<n>)');
      else if (key === 'managedFields' && Array.isArray(child)) {
        out[key] = child
          .map((entry) => ({ manager: (entry as Json)['manager'], operation: (entry as Json)['operation'], subresource: (entry as Json)['subresource'] }))
          .sort((a, b) => String(a.manager).localeCompare(String(b.manager)));
      } else out[key] = walk(child);
    }
    return out;
  };
  return walk(copy);
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

/** kubectl output with ages, resourceVersions, uids and IPs masked. */
export function normaliseText(text: string): string {
  return text
    .replace(UUID, '<uid>')
    .replace(/\b\d+(\.\d+)?(s|m|h|d)(\d+(s|m|h))?\b/g, '<age>')
    .replace(/resourceVersion: "\d+"/g, 'resourceVersion: "<rv>"')
    .replace(/creationTimestamp: "[^"]+"/g, 'creationTimestamp: "<time>"')
    .replace(/\/tmp\/[\w./-]+/g, '<tmp>')
    .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\b/g, '<time>')
    .replace(/[ \t]+$/gm, '');
}

export interface RawResponse {
  status: number;
  contentType: string;
  body: unknown;
}

/** One request with the headers a case needs (kubectl's Table Accept, protobuf, …), as admin. */
export function rawRequest(cluster: TestCluster, method: string, path: string, options: { body?: string | Buffer; contentType?: string; accept?: string } = {}): Promise<RawResponse> {
  const url = new URL(path, cluster.url);
  const headers: Record<string, string | number> = { ...cluster.headers, accept: options.accept ?? 'application/json' };
  const payload = options.body === undefined ? undefined : Buffer.from(options.body);
  if (payload !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    headers['content-length'] = payload.length;
  }
  const requestOptions: RequestOptions = { method, headers, ...(cluster.agent !== undefined ? { agent: cluster.agent } : {}) };
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Text bodies stay text.
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
