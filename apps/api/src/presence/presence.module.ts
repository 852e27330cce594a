import { Module } from '@nestjs/common';
import { SocketModule } from '../socket/socket.module.js';
import { PresenceService } from './presence.service.js';

/** Presence: who has which resource open, at which field (`presence:*` events). */
@Module({ imports: [SocketModule], providers: [PresenceService], exports: [PresenceService] })
export class PresenceModule {}
