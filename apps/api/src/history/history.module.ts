import { Module } from '@nestjs/common';
import { EditsModule } from '../edits/edits.module.js';
import { KubeModule } from '../kube/kube.module.js';
import { SocketModule } from '../socket/socket.module.js';
import { AdminGuard, HistoryAccess } from './admin.guard.js';
import { HistoryAccessController } from './history-access.controller.js';
import { HistoryController } from './history.controller.js';
import { HistoryRateGuard } from './history-rate.guard.js';
import { HistoryService } from './history.service.js';

/** The edit history: records save attempts and outside changes; admins read it over REST. */
@Module({ imports: [EditsModule, KubeModule, SocketModule], controllers: [HistoryController, HistoryAccessController], providers: [HistoryService, HistoryAccess, AdminGuard, HistoryRateGuard], exports: [HistoryService] })
export class HistoryModule {}
