import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { rooms, type ContextStatus, type ErrorCode, type RequestName } from '@tandem/sync';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ContextsService } from '../contexts/contexts.service.js';
import { EditEvents, type EditOutcome } from '../edits/edit-events.js';
import { SharedWatches } from '../kube/shared-watches.service.js';
import { RELIST_REASONS } from '../kube/watch-hub.js';
import { PresenceService } from '../presence/presence.service.js';
import { RoomBroadcaster } from '../socket/room-broadcaster.js';
import { CollabStore } from '../store/store.module.js';

/** Every name in the `tandem_` namespace, so one gateway's series are easy to find among others. */
const PREFIX = 'tandem_';

const EDIT_OUTCOMES = ['applied', 'dry-run', 'blocked-stale', 'blocked-locked', 'rejected-by-cluster', 'invalid'] as const satisfies readonly EditOutcome[];
/** Fails to compile when EditOutcome gains a value missing above (its counter would not start at 0). */
const everyOutcomeListed: [Exclude<EditOutcome, (typeof EDIT_OUTCOMES)[number]>] extends [never] ? true : never = true;
void everyOutcomeListed;

const CONTEXT_STATES = ['ok', 'degraded', 'unreachable'] as const satisfies readonly ContextStatus[];
const LEASE_OUTCOMES = ['granted', 'locked', 'other'] as const;
type LeaseOutcome = (typeof LEASE_OUTCOMES)[number];

const RESOURCE_ROOM_PREFIX = rooms.resource('');

function leaseOutcome(result: RequestResult): LeaseOutcome {
  return result === 'ok' ? 'granted' : result === 'locked' ? 'locked' : 'other';
}

/** How a request ended: `ok`, or the error code of its failed ack. */
export type RequestResult = 'ok' | ErrorCode;

/**
 * The gateway's Prometheus metrics: Node process defaults plus what an operator of the editor watches
 * (sockets, open resources, leases, saves, watches, contexts). Gauges are read at scrape time from the
 * services that own the state; counters follow the request and edit events. Labels carry only bounded
 * values (outcomes, states, event names), never resource or user names.
 */
@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  readonly registry = new Registry();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly requests: Counter<'event' | 'result'>;
  private readonly leaseAcquisitions: Counter<'outcome'>;
  private readonly saves: Counter<'outcome'>;
  private readonly saveDuration: Histogram<'result'>;
  private readonly leaseAcquireDuration: Histogram<'outcome'>;

  constructor(
    private readonly events: EditEvents,
    broadcaster: RoomBroadcaster,
    watches: SharedWatches,
    contexts: ContextsService,
    store: CollabStore,
    presence: PresenceService,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });

    new Gauge({
      name: `${PREFIX}connected_sockets`,
      help: 'Browser sockets connected to this gateway.',
      registers,
      collect() {
        this.set(broadcaster.localSocketCount());
      },
    });
    const resourceRooms = (): ReadonlySet<string>[] => broadcaster.localRoomMembers(RESOURCE_ROOM_PREFIX);
    new Gauge({
      name: `${PREFIX}open_resources`,
      help: 'Resources joined by at least one socket of this gateway.',
      registers,
      collect() {
        this.set(resourceRooms().length);
      },
    });
    new Gauge({
      name: `${PREFIX}resource_sessions`,
      help: 'Resource joins held by sockets of this gateway (a socket in two resources counts twice).',
      registers,
      collect() {
        this.set(resourceRooms().reduce((sum, sockets) => sum + sockets.size, 0));
      },
    });
    new Gauge({
      name: `${PREFIX}shared_watches`,
      help: 'Kubernetes list-then-watch streams this gateway keeps open (one per context, type and namespace followed).',
      registers,
      collect() {
        this.set(watches.size);
      },
    });
    new Counter({
      name: `${PREFIX}watch_relists_total`,
      help: 'Shared watches listed again to catch up: after 410 Expired (the cluster no longer keeps their version), another watch ERROR, a failed list or watch request, or a restart of their context.',
      labelNames: ['reason'],
      registers,
      collect() {
        const { relists } = watches.stats();
        this.reset();
        for (const reason of RELIST_REASONS) this.inc({ reason }, relists[reason]);
      },
    });
    new Counter({
      name: `${PREFIX}watch_reconnects_total`,
      help: 'Shared watch streams opened again after one ended or broke (resumed from their last version, or after a relist).',
      registers,
      collect() {
        this.reset();
        this.inc(watches.stats().reconnects);
      },
    });
    new Gauge({
      name: `${PREFIX}kube_contexts`,
      help: 'Kubernetes contexts known to this gateway, by state.',
      labelNames: ['state'],
      registers,
      collect() {
        const listed = contexts.list();
        for (const state of CONTEXT_STATES) this.set({ state }, listed.filter((context) => context.status === state).length);
      },
    });
    new Gauge({
      name: `${PREFIX}store_info`,
      help: 'Where presence, leases and history live: 1 for the backend in use (memory or redis).',
      labelNames: ['backend'],
      registers,
    }).set({ backend: store.shared ? 'redis' : 'memory' }, 1);
    new Counter({
      name: `${PREFIX}presence_heartbeats_total`,
      help: "Presence heartbeats this gateway finished: each rewrites its sockets' sessions with a fresh TTL, so a gateway that stops counting lets its sessions lapse.",
      registers,
      collect() {
        this.reset();
        this.inc(presence.heartbeatCount);
      },
    });
    new Counter({
      name: `${PREFIX}lease_announcements_total`,
      help: 'lock:changed messages this gateway sent to resource rooms (lease grants and ends, batched).',
      registers,
      collect() {
        this.reset();
        this.inc(broadcaster.sentCount('lock:changed'));
      },
    });

    this.requests = new Counter({
      name: `${PREFIX}socket_requests_total`,
      help: 'Socket requests answered, by event and result (ok or the error code of the ack).',
      labelNames: ['event', 'result'],
      registers,
    });
    this.leaseAcquisitions = new Counter({
      name: `${PREFIX}lease_acquisitions_total`,
      help: 'lock:acquire requests by outcome: granted, locked (another session holds an overlapping field), other (refused for another reason).',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of LEASE_OUTCOMES) this.leaseAcquisitions.inc({ outcome }, 0);
    this.saves = new Counter({
      name: `${PREFIX}saves_total`,
      help: 'Save attempts by outcome, as recorded in the edit history.',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of EDIT_OUTCOMES) this.saves.inc({ outcome }, 0);
    this.saveDuration = new Histogram({
      name: `${PREFIX}save_duration_seconds`,
      help: 'Time from receiving resource:save to its ack, by result (ok or the error code).',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.leaseAcquireDuration = new Histogram({
      name: `${PREFIX}lease_acquire_duration_seconds`,
      help: 'Time from receiving lock:acquire to its ack inside the gateway (validation and the store), by outcome.',
      labelNames: ['outcome'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    for (const outcome of LEASE_OUTCOMES) this.leaseAcquireDuration.zero({ outcome });
  }

  onModuleInit(): void {
    this.unsubscribe.push(this.events.subscribe((event) => this.saves.inc({ outcome: event.outcome })));
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe) stop();
    this.registry.clear();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Counts one answered socket request: `ok`, or the error code of its failed ack, and how long it took. */
  observeRequest(event: RequestName, result: RequestResult, seconds: number): void {
    this.requests.inc({ event, result });
    if (event === 'lock:acquire') {
      const outcome = leaseOutcome(result);
      this.leaseAcquisitions.inc({ outcome });
      this.leaseAcquireDuration.observe({ outcome }, seconds);
    }
    if (event === 'resource:save') this.saveDuration.observe({ result }, seconds);
  }
}
