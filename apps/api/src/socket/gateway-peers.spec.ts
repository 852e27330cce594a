import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { GatewayPeers, peerTopic, type PeerServer } from './gateway-peers.js';

/** Two gateways' ends of the server-side event bus: what one emits, the other hears (as the Redis adapter does). */
function pairedServers(): [PeerServer, PeerServer] {
  const buses = [new EventEmitter(), new EventEmitter()] as const;
  const server = (own: EventEmitter, other: EventEmitter): PeerServer => ({
    on: (event, listener) => own.on(event, listener),
    serverSideEmit: (event, note) => other.emit(event, note),
  });
  return [server(buses[0], buses[1]), server(buses[1], buses[0])];
}

const NOTES = peerTopic('test:note', z.strictObject({ key: z.string(), count: z.number().int() }));

describe('GatewayPeers', () => {
  it('delivers a peer note that matches the topic schema, whether listening began before or after connecting', () => {
    const [east, west] = pairedServers();
    const sender = new GatewayPeers();
    const early = new GatewayPeers();
    const heard: unknown[] = [];
    early.on(NOTES, (note) => heard.push(note));
    early.connect(west);
    sender.connect(east);
    sender.publish(NOTES, { key: 'a', count: 1 });
    expect(heard).toEqual([{ key: 'a', count: 1 }]);
  });

  it('drops a note that does not match the schema and keeps hearing the next ones', () => {
    const [east, west] = pairedServers();
    const receiver = new GatewayPeers();
    receiver.connect(west);
    const heard: unknown[] = [];
    receiver.on(NOTES, (note) => heard.push(note));
    east.serverSideEmit(NOTES.event, { key: 'a', count: 'one' });
    east.serverSideEmit(NOTES.event, { key: 'a', count: 1, extra: true });
    east.serverSideEmit(NOTES.event, { key: 'b', count: 2 });
    expect(heard).toEqual([{ key: 'b', count: 2 }]);
  });

  it('publishes nothing and hears nothing when not connected to peers', () => {
    const [east, west] = pairedServers();
    const alone = new GatewayPeers();
    const receiver = new GatewayPeers();
    const heard: unknown[] = [];
    receiver.on(NOTES, (note) => heard.push(note));
    receiver.connect(west);
    alone.publish(NOTES, { key: 'a', count: 1 });
    expect(alone.connected).toBe(false);
    receiver.disconnect();
    east.serverSideEmit(NOTES.event, { key: 'b', count: 2 });
    expect(heard).toEqual([]);
  });
});
