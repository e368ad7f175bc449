import { WebhookRejection } from '../../src/providers/provider.types';

/** Runs `fn` and returns the WebhookRejection it throws (fails the test if it throws nothing). */
export function rejection(fn: () => unknown): WebhookRejection {
  try {
    fn();
  } catch (err) {
    if (err instanceof WebhookRejection) return err;
    throw err;
  }
  throw new Error('expected a WebhookRejection');
}
