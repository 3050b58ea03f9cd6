import { describe, expect, it } from '@jest/globals';
import { groupReasons, type Detail } from '../../src/sync/outcomes.js';

const skipped = (key: string, reason: string): Detail => ({ key, outcome: 'skipped', reason });
const failed = (key: string, reason: string): Detail => ({ key, outcome: 'failed', reason });

describe('groupReasons', () => {
  it.each([
    ['integer ids', ['17', '4711', '815']],
    ['Slack ids', ['U0ABC123', 'U0XYZ999', 'W12345678']],
    ['e-mail addresses', ['ann@example.com', 'bob@example.org', 'cy.d@example.net']],
    ['names with spaces', ['Ann Lee', 'Bob Tan', 'Cy Dee']],
    ['UUIDs', ['3f2a9c1e-0b6d-4e8f-9a7b-1c2d3e4f5a6b', '00000000-0000-4000-8000-000000000000', 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d']],
  ])('one group for one reason about records keyed by %s', (_shape, keys) => {
    const groups = groupReasons(keys.map((k) => skipped(k, `not in People (no record with user_id = ${k}): the update only preference does not create records`)));
    expect(groups).toEqual([{ outcome: 'skipped', count: 3, keys, reason: 'not in People (no record with user_id = …): the update only preference does not create records' }]);
  });

  it('a value quoted in the reason is taken out; a value the group shares is shown as it is', () => {
    const groups = groupReasons([
      failed('1', 'field age: "n/a" is not an integer'),
      failed('2', 'field age: "unknown \\"x\\"" is not an integer'),
      skipped('3', 'filter: last login older than 90 days'),
      skipped('4', 'filter: last login older than 90 days'),
      failed('5', 'field hired: 1700000000000 is out of range for a timestamp'),
    ]);
    expect(groups).toEqual([
      { outcome: 'failed', count: 2, keys: ['1', '2'], reason: 'field age: … is not an integer' },
      { outcome: 'skipped', count: 2, keys: ['3', '4'], reason: 'filter: last login older than 90 days' },
      { outcome: 'failed', count: 1, keys: ['5'], reason: 'field hired: 1700000000000 is out of range for a timestamp' },
    ]);
  });

  it('different reasons stay apart, most frequent first; outcomes stay apart', () => {
    const groups = groupReasons([
      skipped('a1', 'filter: bot user'), skipped('a2', 'filter: bot user'),
      failed('a3', 'filter: bot user'),
      skipped('a4', 'filter: deleted user'), skipped('a5', 'filter: deleted user'), skipped('a6', 'filter: deleted user'),
    ]);
    expect(groups.map((g) => [g.outcome, g.reason, g.count])).toEqual([['skipped', 'filter: deleted user', 3], ['skipped', 'filter: bot user', 2], ['failed', 'filter: bot user', 1]]);
  });

  it('the key is taken out only where it stands alone, not inside a word', () => {
    const groups = groupReasons([skipped('ann', 'filter: annual contractor'), skipped('bob', 'filter: annual contractor')]);
    expect(groups).toEqual([{ outcome: 'skipped', count: 2, keys: ['ann', 'bob'], reason: 'filter: annual contractor' }]);
  });
});
