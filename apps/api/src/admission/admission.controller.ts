import { Controller, Get, NotFoundException } from '@nestjs/common';
import { AdmissionService, type AdmissionStatus } from './admission.service.js';
import type { ValidatingWebhookConfiguration } from './webhook-configuration.js';

/** The webhook configuration for an operator to apply (`kubectl apply -f`); it holds no secret, only the CA. */
@Controller('api/admission')
export class AdmissionController {
  constructor(private readonly admission: AdmissionService) {}

  /** Whether leases hold cluster-wide, and in which context: the editor says so beside a held field. */
  @Get()
  status(): AdmissionStatus {
    return this.admission.status();
  }

  @Get('webhook-configuration')
  webhookConfiguration(): ValidatingWebhookConfiguration {
    const configuration = this.admission.webhookConfiguration();
    if (configuration === undefined) throw new NotFoundException('The admission webhook is off (TANDEM_ADMISSION=off); set it to warn or enforce');
    return configuration;
  }
}
