import { Module } from '@nestjs/common';
import { AdmissionController } from './admission.controller.js';
import { AdmissionService } from './admission.service.js';

/** Leases for every client: the validating admission webhook and its configuration (docs/security.md). */
@Module({ controllers: [AdmissionController], providers: [AdmissionService], exports: [AdmissionService] })
export class AdmissionModule {}
