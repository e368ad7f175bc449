import type { ProviderErrorCode } from '@switchboard/contracts';

const RETRYABLE: ReadonlySet<ProviderErrorCode> = new Set(['rate_limited', 'unavailable', 'timeout']);

/**
 * The one error type adapters throw. Adapters reduce each provider's error zoo to a neutral code;
 * the send processor alone decides what a code means (retry, fail, or mark the channel for
 * re-authentication), so no provider quirk leaks past its folder.
 */
export class ProviderError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly providerCode: string | null = null,
    retryable?: boolean,
  ) {
    super(message);
    this.name = 'ProviderError';
    this.retryable = retryable ?? RETRYABLE.has(code);
  }
}

/** Network failures of fetch() as neutral errors: nothing reached the provider, so retry. */
export function networkError(err: unknown, what: string): ProviderError {
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ProviderError('timeout', `${what} timed out`);
  }
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
  return new ProviderError('unavailable', `${what} unreachable: ${cause}`);
}
