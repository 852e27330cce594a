import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { z } from 'zod';
import { KubeApiError } from '../errors/kube-api-error.js';

/** The one error shape of the REST API. */
export interface ApiErrorBody {
  readonly error: { readonly code: number; readonly reason: string; readonly message: string };
}

interface JsonResponse {
  status(code: number): { json(body: unknown): void };
  readonly headersSent: boolean;
}

/** Nest's built-in exceptions carry `message` as a string or, from validation pipes, a list of strings. */
const httpExceptionBodySchema = z.looseObject({ message: z.union([z.string(), z.array(z.string())]).optional() });

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
};

/** Turns every failure into `{error:{code,reason,message}}`, passing on the cluster's own Status message. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<JsonResponse>();
    const body = this.toBody(exception);
    if (body.error.code >= 500) this.logger.error(body.error.message, exception instanceof Error ? exception.stack : undefined);
    if (res.headersSent) return;
    res.status(body.error.code).json(body);
  }

  private toBody(exception: unknown): ApiErrorBody {
    if (exception instanceof KubeApiError) {
      // Upstream 5xx codes other than the gateway's own 502 are reported as-is; anything odd becomes 502.
      const code = exception.code >= 400 && exception.code <= 599 ? exception.code : HttpStatus.BAD_GATEWAY;
      return { error: { code, reason: exception.reason, message: exception.message } };
    }
    if (exception instanceof HttpException) {
      const code = exception.getStatus();
      const parsed = httpExceptionBodySchema.safeParse(exception.getResponse());
      const detail = parsed.success ? parsed.data.message : undefined;
      const message = Array.isArray(detail) ? detail.join('; ') : (detail ?? exception.message);
      return { error: { code, reason: REASONS[code] ?? 'Error', message } };
    }
    return { error: { code: HttpStatus.INTERNAL_SERVER_ERROR, reason: 'InternalError', message: 'Internal error; see the gateway log' } };
  }
}
