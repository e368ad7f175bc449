import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/**
 * Every error leaves as `{statusCode, error, message}` with a message naming the problem.
 * Framework errors (malformed JSON, body too large) are reshaped too; unexpected errors are
 * logged and answered 500 without internals (no stack, no SQL, no secrets).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let message = 'internal error';
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      const m = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      message = Array.isArray(m) ? m.join('; ') : String(m ?? exception.message);
    } else if (isFastifyError(exception)) {
      status = exception.statusCode;
      message =
        exception.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/i.test(exception.message)
          ? `malformed JSON body: ${exception.message}`
          : exception.message;
    } else {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    void reply
      .status(status)
      .header('content-type', 'application/json; charset=utf-8')
      .send({ statusCode: status, error: REASON[status] ?? 'Error', message });
  }
}

function isFastifyError(e: unknown): e is Error & { statusCode: number; code?: string } {
  return (
    e instanceof Error &&
    typeof (e as { statusCode?: unknown }).statusCode === 'number' &&
    (e as unknown as { statusCode: number }).statusCode < 500
  );
}
