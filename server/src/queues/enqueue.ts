import { Logger } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';

const logger = new Logger('Enqueue');

/**
 * Adds a job without letting a Redis outage stall the caller. Callers enqueue only work that
 * is already durable in PostgreSQL (a stored webhook, a pending message), and the sweeper
 * re-enqueues whatever could not be queued, so a failed add is logged and not thrown.
 */
export async function enqueueDurable<T>(
  queue: Queue<T>,
  data: T,
  opts: JobOptions & { jobId: string },
  timeoutMs = 1500,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.add(data, opts),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return true;
  } catch (err) {
    logger.warn(`could not enqueue ${queue.name} ${opts.jobId} (the sweeper will retry): ${(err as Error).message}`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}
