import type Database from 'better-sqlite3';

/** What an admin decided about an integration: launched (scheduled) or paused. Kept in the embedded store. */
export type LaunchState = 'launched' | 'paused';

/** The stored launch state of an integration (named by its mapping file's base name), if any. */
export function launchState(db: Database.Database, name: string): LaunchState | undefined {
  const row = db.prepare('SELECT state FROM integrations WHERE name = ?').get(name) as { state: LaunchState } | undefined;
  return row?.state;
}

export function setLaunchState(db: Database.Database, name: string, mappingFile: string, state: LaunchState): void {
  db.prepare(`INSERT INTO integrations (name, mapping_file, state, updated_at) VALUES (?, ?, ?, ?)
              ON CONFLICT(name) DO UPDATE SET mapping_file = excluded.mapping_file, state = excluded.state, updated_at = excluded.updated_at`)
    .run(name, mappingFile, state, new Date().toISOString());
}
