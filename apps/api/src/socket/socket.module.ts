import { Module } from '@nestjs/common';
import { GatewayPeers } from './gateway-peers.js';
import { RequestLimits } from './request-limits.js';
import { RoomBroadcaster } from './room-broadcaster.js';

/**
 * What the capabilities behind the socket gateway share with it: room broadcasts, notes between
 * gateways, and the request limits. The gateway itself (realtime) sits above every capability.
 */
@Module({
  providers: [GatewayPeers, RequestLimits, RoomBroadcaster],
  exports: [GatewayPeers, RequestLimits, RoomBroadcaster],
})
export class SocketModule {}
