import { Logger } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';

const logger = new Logger('Enqueue');
const TIMEOUT_MS = 1500;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Adds jobs without letting a Redis outage stall the caller. Callers enqueue only work that is
 * already durable in PostgreSQL (a stored webhook, a pending message), and the sweeper
 * re-enqueues whatever could not be queued, so a failed add is logged and not thrown.
 */
export async function enqueueDurable<T>(queue: Queue<T>, jobs: { data: T; opts: JobOptions & { jobId: string } }[]): Promise<boolean> {
  if (jobs.length === 0) return true;
  try {
    await withTimeout<unknown>(jobs.length === 1 ? queue.add(jobs[0].data, jobs[0].opts) : queue.addBulk(jobs), TIMEOUT_MS);
    return true;
  } catch (err) {
    logger.warn(`could not enqueue ${jobs.length} ${queue.name} job(s) (the sweeper will retry): ${(err as Error).message}`);
    return false;
  }
}
