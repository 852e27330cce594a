import { Module } from '@nestjs/common';
import { SocketModule } from '../socket/socket.module.js';
import { LocksService } from './locks.service.js';

/** Field leases (`lock:*` events). */
@Module({ imports: [SocketModule], providers: [LocksService], exports: [LocksService] })
export class LocksModule {}
