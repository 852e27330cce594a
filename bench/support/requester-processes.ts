/**
 * Starts the lease requesters (lease-requesters.ts) in REQUESTER_PROCESSES child processes and
 * asks all of them at once: used for Tandem's lease figures and for their floor.
 */
import type { ResourceRef } from '@tandem/sync';
import { startChild, tsxArgs } from './child-process.js';
import type { LeaseSamples, RequesterCommand, RequesterConfig } from './lease-requesters.js';

/** How many processes share the lease requesters (each is a client machine's worth of sockets). */
export const REQUESTER_PROCESSES = 4;

export interface RequesterProcesses {
  /** Sends a command to every process; resolves with each one's samples. */
  ask(command: RequesterCommand): Promise<LeaseSamples[]>;
  stop(): Promise<void>;
}

export async function startRequesterProcesses(options: { transport: RequesterConfig['transport']; urls: readonly string[]; requesters: number; ref: ResourceRef; timeoutMs: number }): Promise<RequesterProcesses> {
  const perProcess = Math.ceil(options.requesters / REQUESTER_PROCESSES);
  const processes = await Promise.all(
    Array.from({ length: REQUESTER_PROCESSES }, (_, p) => {
      const config: RequesterConfig = {
        transport: options.transport,
        urls: options.urls,
        first: p * perProcess,
        count: Math.min(perProcess, options.requesters - p * perProcess),
        ref: options.ref,
        timeoutMs: options.timeoutMs,
      };
      return startChild({
        name: `lease requesters ${p + 1} (${options.transport})`,
        args: tsxArgs('lease-requesters.ts', ['--conditions=@tandem/source']),
        env: { LEASE_REQUESTERS: JSON.stringify(config) },
        readyPattern: /requesters ready/,
        readyTimeoutMs: 60_000,
        ipc: true,
      });
    }),
  );
  return {
    ask: (command) => Promise.all(processes.map((child) => child.ask<LeaseSamples>(command))),
    stop: async () => {
      await Promise.all(processes.map((child) => child.stop()));
    },
  };
}
