import { Module } from '@nestjs/common';
import { KubeModule } from '../kube/kube.module.js';
import { LocksModule } from '../locks/locks.module.js';
import { SocketModule } from '../socket/socket.module.js';
import { EditEvents } from './edit-events.js';
import { EditsService } from './edits.service.js';
import { SaveAuthors } from './save-authors.js';
import { VersionCache } from './version-cache.js';

/**
 * The guarded save (`resource:save`), who saved which version (SaveAuthors, shared with the peer
 * gateways), and the bus of save attempts (EditEvents) the edit history reads.
 */
@Module({ imports: [KubeModule, SocketModule, LocksModule], providers: [EditEvents, VersionCache, SaveAuthors, EditsService], exports: [EditEvents, EditsService, SaveAuthors] })
export class EditsModule {}
