import { Module } from '@nestjs/common';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { PresenceService } from './presence.service.js';

/** Presence: who has which resource open, at which field (`presence:*` events). */
@Module({ imports: [RealtimeModule], providers: [PresenceService] })
export class PresenceModule {}
