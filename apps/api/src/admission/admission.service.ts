/**
 * The validating admission webhook (DESIGN rule 11): an HTTPS server of its own that the API
 * server asks before it accepts an UPDATE. A write that changes a field under someone else's live
 * lease is refused (`enforce`) or admitted with a warning (`warn`), and recorded in the edit
 * history as `blocked-by-lease`. Anything it cannot decide in time is admitted: the webhook must
 * never be what stops a cluster.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { redactSecretChanges, resourceKey, rooms, type Lease, type ResourceRef } from '@tandem/sync';
import type { HistoryRecord } from '@tandem/store';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { AdmissionConfig } from '../config/admission.schema.js';
import { boundedChanges, HISTORY_MESSAGE_MAX_CHARS, isSecret } from '../history/history.service.js';
import { RoomBroadcaster } from '../socket/room-broadcaster.js';
import { CollabStore } from '../store/store.module.js';
import { AdmissionReviewSchema, MAX_REVIEW_BYTES, reviewResponse, type AdmissionRequest, type AdmissionResponse, type AdmissionReviewResponse } from './admission-review.js';
import { changedFields, conflictMessage, conflicts, passReason, refOf, type LeaseConflict } from './lease-check.js';
import { generateServingCertificate, readServingCertificate, type ServingCertificate } from './serving-certificate.js';
import { renderWebhookConfiguration, type ValidatingWebhookConfiguration } from './webhook-configuration.js';

/** The lease lookup's budget, well inside the API server's timeoutSeconds: past it, the write is admitted. */
export const LEASE_LOOKUP_TIMEOUT_MS = 1_000;

/** `GET /api/admission`: whether the webhook runs, and the context whose leases it enforces. */
export interface AdmissionStatus {
  readonly mode: AdmissionConfig['mode'];
  readonly context: string;
}

@Injectable()
export class AdmissionService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AdmissionService.name);
  private readonly config: AdmissionConfig;
  private server: Server | undefined;
  private certificate: ServingCertificate | undefined;
  private url: string | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly salt = randomBytes(16).toString('hex');

  constructor(
    @Inject(APP_CONFIG) appConfig: AppConfig,
    private readonly store: CollabStore,
    private readonly broadcaster: RoomBroadcaster,
  ) {
    this.config = appConfig.admission;
  }

  get enabled(): boolean {
    return this.config.mode !== 'off';
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const { config } = this;
    const urlHost = config.url === undefined ? undefined : new URL(config.url).hostname.replace(/^\[|\]$/g, '');
    this.certificate =
      config.certificate === undefined
        ? await generateServingCertificate([config.host, '127.0.0.1', 'localhost', ...(urlHost !== undefined ? [urlHost] : [])].filter((host) => host !== '0.0.0.0' && host !== '::'))
        : await readServingCertificate(config.certificate.certFile, config.certificate.keyFile);
    const server = createServer({ cert: this.certificate.certPem, key: this.certificate.keyPem, minVersion: 'TLSv1.2' }, (request, response) => {
      void this.handle(request, response);
    });
    server.requestTimeout = 5_000;
    server.headersTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    this.url = config.url ?? `https://${host}:${port}/validate`;
    // A plain line, like the gateway's own URL: an operator (or a test) reads the port from it when it was 0.
    process.stdout.write(`Tandem admission webhook (${config.mode}) at https://${host}:${port}/validate\n`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await Promise.allSettled([...this.pending]);
  }

  status(): AdmissionStatus {
    return { mode: this.config.mode, context: this.config.context };
  }

  /** The configuration that points the API server at this webhook; undefined while it is off. */
  webhookConfiguration(): ValidatingWebhookConfiguration | undefined {
    if (this.certificate === undefined || this.url === undefined) return undefined;
    const { resources, namespaceSelector, objectSelector } = this.config;
    return renderWebhookConfiguration({ url: this.url, caPem: this.certificate.caPem, resources, namespaceSelector, objectSelector });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, body: AdmissionReviewResponse | { message: string }): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || (request.url ?? '').split('?')[0] !== '/validate') return send(404, { message: 'POST an AdmissionReview to /validate' });
    let text: string;
    try {
      text = await readBody(request, MAX_REVIEW_BYTES);
    } catch (error) {
      return send(413, { message: error instanceof Error ? error.message : 'the request body could not be read' });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return send(400, { message: 'the body is not JSON' });
    }
    const review = AdmissionReviewSchema.safeParse(parsed);
    if (!review.success) return send(400, { message: `not an admission.k8s.io/v1 AdmissionReview: ${review.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}` });
    send(200, reviewResponse(await this.review(review.data.request)));
  }

  /** The answer to one review. Never throws: a failure admits the write. */
  async review(request: AdmissionRequest): Promise<AdmissionResponse> {
    const allow: AdmissionResponse = { uid: request.uid, allowed: true };
    if (!this.enabled) return allow;
    if (passReason(request, { users: this.config.exemptUsers, groups: this.config.exemptGroups }) !== undefined) return allow;
    const ref = refOf(request, this.config.context);
    const leases = await this.lookUp(ref);
    const requester = request.userInfo.username ?? '';
    const now = Date.now();
    if (leases === undefined || !leases.some((lease) => lease.owner !== requester && lease.expiresAt > now)) return allow;
    const found = conflicts(changedFields(request), leases, requester, now);
    if (found.length === 0) return allow;
    const messages = found.map(conflictMessage);
    const enforced = this.config.mode === 'enforce';
    // A dry run changes nothing and tells no one; a real attempt is recorded and the holder hears of it.
    if (request.dryRun !== true) {
      this.record(request, ref, found, messages, enforced);
      this.tellHolders(request, ref, found, enforced);
    }
    return enforced ? { uid: request.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: messages.join('; ') } } : { ...allow, warnings: messages };
  }

  private async lookUp(ref: ResourceRef): Promise<Lease[] | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), LEASE_LOOKUP_TIMEOUT_MS);
    });
    try {
      const leases = await Promise.race([this.store.leases.list(ref), timeout]);
      if (leases === undefined) this.logger.warn(`lease lookup for ${ref.resource}/${ref.name} took over ${LEASE_LOOKUP_TIMEOUT_MS} ms; the write was admitted`);
      return leases;
    } catch (error) {
      this.logger.warn(`lease lookup failed, the write was admitted: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private tellHolders(request: AdmissionRequest, ref: ResourceRef, found: readonly LeaseConflict[], enforced: boolean): void {
    const client = request.options?.fieldManager;
    const at = Date.now();
    for (const { lease, changes } of found) {
      this.broadcaster.toRoom(rooms.resource(resourceKey(ref)), 'lock:blocked', {
        ref,
        path: lease.path,
        holder: lease.owner,
        token: lease.token,
        requester: request.userInfo.username ?? 'unknown',
        ...(client !== undefined && client !== '' ? { client } : {}),
        changed: changes.map((change) => change.path),
        enforced,
        at,
      });
    }
  }

  private record(request: AdmissionRequest, ref: ResourceRef, found: readonly LeaseConflict[], messages: readonly string[], enforced: boolean): void {
    const fromResourceVersion = resourceVersionOf(request.oldObject);
    const changes = found.flatMap((conflict) => conflict.changes);
    const record: HistoryRecord = {
      actor: request.userInfo.username ?? 'unknown',
      outside: true,
      ref,
      action: 'update',
      outcome: 'blocked-by-lease',
      ...(fromResourceVersion !== undefined ? { fromResourceVersion } : {}),
      changes: boundedChanges(redactSecretChanges(changes, isSecret(ref) ? 'Secret' : '', { salt: this.salt }), { values: true }),
      error: { ...(enforced ? { code: 403 } : {}), message: (enforced ? messages.join('; ') : `admitted with a warning: ${messages.join('; ')}`).slice(0, HISTORY_MESSAGE_MAX_CHARS) },
      holder: [...new Set(found.map((conflict) => conflict.lease.owner))].join(','),
    };
    const work = this.store.history.append(record).catch((error: unknown) => this.logger.error(`a blocked-by-lease history entry was not recorded: ${error instanceof Error ? error.message : String(error)}`));
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }
}

function resourceVersionOf(object: AdmissionRequest['oldObject']): string | undefined {
  const metadata = object?.['metadata'];
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  const version = metadata['resourceVersion'];
  return typeof version === 'string' ? version : undefined;
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > limit) {
      request.resume();
      reject(new Error(`the review is larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.destroy();
        reject(new Error(`the review is larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
