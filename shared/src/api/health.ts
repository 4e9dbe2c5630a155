import { z } from 'zod';

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  engine: z.object({ name: z.string(), reachable: z.boolean(), detail: z.string().optional() }),
  store: z.object({ kind: z.enum(['sqlite', 'mongodb']), reachable: z.boolean() }),
  queue: z.object({
    depth: z.number().int().nonnegative(),
    outbox: z.number().int().nonnegative(),
    oldestPendingAgeMs: z.number().nonnegative().nullable(),
    lastError: z.string().nullable(),
    /** Records the store refused for good, parked in the outbox's dead-letter table. */
    dead: z.number().int().nonnegative(),
  }),
});
export type Health = z.infer<typeof healthSchema>;
