/**
 * Raw SQL rows arrive in snake_case; entities and views are camelCase. One converter, used
 * where hot paths run hand-written SQL (ingest, lists) instead of repository calls.
 */
export function camelize<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out as T;
}

export function iso(d: Date | string | null | undefined): string | null {
  if (d === null || d === undefined) return null;
  return (d instanceof Date ? d : new Date(d)).toISOString();
}

/**
 * The rows of an `UPDATE ... RETURNING` / `DELETE ... RETURNING` run through TypeORM's query():
 * for those commands the postgres driver answers `[rows, affectedCount]`, not the rows.
 */
export function returnedRows<T = Record<string, unknown>>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
