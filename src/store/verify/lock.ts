import type { Pool } from "pg";
import { advisoryLockKeys } from "../../domain/locks.js";
import { withSessionLock } from "../advisoryLock.js";

/**
 * Runs `work` while holding the verify advisory lock (one scheduled self-check or repair at a
 * time across replicas); resolves to null without running it when another session holds it.
 */
export function withVerifyLock<T>(pool: Pool, work: () => Promise<T>): Promise<T | null> {
  return withSessionLock(pool, advisoryLockKeys.verify, work);
}
