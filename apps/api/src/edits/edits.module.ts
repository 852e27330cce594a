import { Module } from '@nestjs/common';
import { KubeModule } from '../kube/kube.module.js';
import { LocksModule } from '../locks/locks.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { EditEvents } from './edit-events.js';
import { EditsService } from './edits.service.js';
import { VersionCache } from './version-cache.js';

/** The guarded save (`resource:save`) and the bus of save attempts (EditEvents) the edit history reads. */
@Module({ imports: [KubeModule, RealtimeModule, LocksModule], providers: [EditEvents, VersionCache, EditsService], exports: [EditEvents] })
export class EditsModule {}
