import { Controller, Get, NotFoundException } from '@nestjs/common';
import { AdmissionService } from './admission.service.js';
import type { ValidatingWebhookConfiguration } from './webhook-configuration.js';

/** The webhook configuration for an operator to apply (`kubectl apply -f`); it holds no secret, only the CA. */
@Controller('api/admission')
export class AdmissionController {
  constructor(private readonly admission: AdmissionService) {}

  @Get('webhook-configuration')
  webhookConfiguration(): ValidatingWebhookConfiguration {
    const configuration = this.admission.webhookConfiguration();
    if (configuration === undefined) throw new NotFoundException('The admission webhook is off (TANDEM_ADMISSION=off); set it to warn or enforce');
    return configuration;
  }
}
