import { Module } from '@nestjs/common';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { LocksService } from './locks.service.js';

/** Field leases (`lock:*` events). */
@Module({ imports: [RealtimeModule], providers: [LocksService], exports: [LocksService] })
export class LocksModule {}
