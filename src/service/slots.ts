import type Database from 'better-sqlite3';
import { currentOwner } from '../runlog/owner.js';

/**
 * Scheduled slots in the embedded store: exactly one service process runs a given slot of an
 * integration. Each process that finds a slot due tries to claim it; the primary key
 * `(integration_key, due_at)` lets one insert win, inside a `BEGIN IMMEDIATE` transaction, and
 * only the winner runs it. The slot then says what became of it: `ran` (with the run),
 * `skipped` (the previous run was still going: a slot is never queued) or `failed` (the run could
 * not start: a broken mapping, missing credentials).
 *
 * Whether an integration is running is the run log's lease (`RunLog.running`, `RunLog.start`):
 * the running run's process, alive while its pid lives (its heartbeat on another host).
 */
export type SlotOutcome = 'claimed' | 'ran' | 'skipped' | 'failed';

export interface Slot {
  integration: string;
  due_at: string;
  outcome: SlotOutcome;
  run_id: number | null;
  reason: string | null;
  claimed_at: string;
  /** the service process that claimed it */
  owner: { host: string; pid: number };
}

/** Claims a slot for this process: true when this process won it (and must run it), false when another did. */
export function claimSlot(db: Database.Database, key: string, dueAt: Date): boolean {
  return db.transaction(() => {
    const result = db
      .prepare('INSERT OR IGNORE INTO schedule_slots (integration_key, due_at, owner, claimed_at) VALUES (?, ?, ?, ?)')
      .run(key, dueAt.toISOString(), JSON.stringify(currentOwner()), new Date().toISOString());
    return result.changes === 1;
  }).immediate();
}

/** What became of a claimed slot. */
export function settleSlot(db: Database.Database, key: string, dueAt: Date, outcome: Exclude<SlotOutcome, 'claimed'>, detail: { runId?: number | null; reason?: string } = {}): void {
  db.prepare('UPDATE schedule_slots SET outcome = ?, run_id = ?, reason = ? WHERE integration_key = ? AND due_at = ?')
    .run(outcome, detail.runId ?? null, detail.reason ?? null, key, dueAt.toISOString());
}

/** The newest slots, newest first; of one integration when `key` is given. */
export function listSlots(db: Database.Database, options: { key?: string; outcome?: SlotOutcome; limit?: number } = {}): Slot[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (options.key) {
    where.push('integration_key = ?');
    args.push(options.key);
  }
  if (options.outcome) {
    where.push('outcome = ?');
    args.push(options.outcome);
  }
  const rows = db
    .prepare(`SELECT * FROM schedule_slots ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY due_at DESC, integration_key LIMIT ?`)
    .all(...args, options.limit ?? 50) as { integration_key: string; due_at: string; owner: string; claimed_at: string; outcome: SlotOutcome; run_id: number | null; reason: string | null }[];
  return rows.map((r) => {
    const owner = JSON.parse(r.owner) as { host: string; pid: number };
    return { integration: r.integration_key, due_at: r.due_at, outcome: r.outcome, run_id: r.run_id, reason: r.reason, claimed_at: r.claimed_at, owner: { host: owner.host, pid: owner.pid } };
  });
}

/** How long the store keeps what became of a slot. */
export const keepSlotsMs = 30 * 86_400_000;

/** Forgets slots claimed more than `keepSlotsMs` ago (a schedule every few seconds claims thousands a day). */
export function pruneSlots(db: Database.Database, now = Date.now()): number {
  return db.prepare('DELETE FROM schedule_slots WHERE claimed_at < ?').run(new Date(now - keepSlotsMs).toISOString()).changes;
}
