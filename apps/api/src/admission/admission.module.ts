import { Module } from '@nestjs/common';
import { SocketModule } from '../socket/socket.module.js';
import { AdmissionController } from './admission.controller.js';
import { AdmissionService } from './admission.service.js';

/** Leases for every client: the validating admission webhook and its configuration (docs/security.md). */
@Module({ imports: [SocketModule], controllers: [AdmissionController], providers: [AdmissionService], exports: [AdmissionService] })
export class AdmissionModule {}
