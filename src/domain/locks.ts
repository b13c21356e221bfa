/**
 * PostgreSQL advisory lock keys, one per job that must run on one replica at a time. Keys share
 * the prefix 0x7274746d ("rttm") so they stay clear of other applications on the same database.
 */
export const advisoryLockKeys = {
  /** Session lock held by the replica that prunes old rows. */
  retention: 0x7274746d01,
  /** Session lock held by the replica that evaluates alert rules. */
  alertEvaluator: 0x7274746d02,
  /** Transaction lock taken by every alert write, so alert event ids are assigned in order. */
  alertWrite: 0x7274746d03,
  /** Session lock held while derived tables are verified on a schedule or repaired. */
  verify: 0x7274746d04,
} as const;
