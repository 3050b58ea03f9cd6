import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConnector } from '../../src/definition/load.js';
import type { ConnectorSpec, Scalar } from '../../src/definition/model.js';
import { resolveSettings } from '../../src/definition/settings.js';
import type { SourceOptions } from '../../src/source/read.js';
import type { SourceItem, SourceRecord } from '../../src/source/types.js';
import type { SlackLogin } from '../../src/demo/people.js';

export const root = join(import.meta.dirname, '..', '..');

/** The mock Slack API root; every test points `base_url` here. */
export const BASE = 'https://slack.test/api';
export const HOST = new URL(BASE).host;
/** A made-up user token; it must never appear in a message, hint, run log or the store. */
export const TOKEN = 'xoxp-4242424242-1717171717-secret-test-token-9f8e7d';

/** A fresh copy of one of the real Slack samples in test/fixtures/slack/. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'slack', name), 'utf8')) as T;
}

export const connectorFile = (id: string) => join(root, 'connectors', `${id}.yaml`);
export const mappingFile = (id: string) => join(root, 'mappings', `${id}.yaml`);
export const testConnectorFile = (name: string) => join(root, 'test', 'fixtures', 'connectors', `${name}.yaml`);

/**
 * Source options for a connector file, with settings resolved the way `intake run --set` does:
 * connector defaults, then `--set`-style text overrides (base_url always points at the mock API).
 */
export function sourceOptions(file: string, overrides: Record<string, string> = {}, patch: Partial<ConnectorSpec> = {}): SourceOptions {
  const connector: ConnectorSpec = { ...loadConnector(file), ...patch };
  const settings: Record<string, Scalar> = resolveSettings(connector, {}, { base_url: BASE, ...overrides });
  return { connector, settings, credentials: { token: TOKEN }, secrets: [TOKEN] };
}

/** Drains a source stream into its records and its failed items. */
export async function collect(items: AsyncIterable<SourceItem>): Promise<{ records: SourceRecord[]; failed: { failed: string; ref: string }[] }> {
  const records: SourceRecord[] = [];
  const failed: { failed: string; ref: string }[] = [];
  for await (const item of items) {
    if ('record' in item) records.push(item.record);
    else failed.push(item);
  }
  return { records, failed };
}

export interface SlackMember {
  id: string;
  name: string;
  updated: number;
  [key: string]: unknown;
}

/** The real users.list members with their ids (and names) varied per page, so pages hold distinct users. */
export function membersForPage(page: number): SlackMember[] {
  const { members } = fixture<{ members: SlackMember[] }>('users.list.json');
  return members.map((m) => ({ ...m, id: `${m.id.slice(0, -1)}${page}`, name: `${m.name}${page}` }));
}

/** A users.list page in Slack's shape (the real envelope) with the given members and next cursor. */
export function usersListPage(members: unknown[], nextCursor: string): Record<string, unknown> {
  const page = fixture('users.list.json');
  return { ...page, members, response_metadata: { next_cursor: nextCursor } };
}

/** One team.accessLogs entry, as Slack sends it. */
export type AccessLogEntry = SlackLogin;

/** The real team.accessLogs entries. */
export function accessLogEntries(): AccessLogEntry[] {
  return fixture<{ logins: AccessLogEntry[] }>('team.accessLogs.json').logins;
}

/** A team.accessLogs page in cursor mode: the real envelope, the given entries, a next cursor. */
export function accessLogsCursorPage(logins: unknown[], nextCursor: string): Record<string, unknown> {
  const page = fixture('team.accessLogs.json');
  return { ...page, logins, response_metadata: { next_cursor: nextCursor } };
}

/** `1502138686` → `2017-08-07T20:44:46Z`, computed with the platform's Date (an independent oracle). */
export function isoFromEpochSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** A cursor in Slack's style (base64 of `user:<id>`, often ending in `=`). */
export function slackCursor(id: string): string {
  return Buffer.from(`user:${id}`).toString('base64');
}
