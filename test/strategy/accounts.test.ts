/**
 * The accounts file (src/strategy/accounts.ts): the example parses to its accounts with the file's
 * margin defaults merged, and each mistake is a KernelInputError naming the file, the line and the field.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KernelInputError } from '../../src/errors.js';
import { accountOf, loadAccounts, parseAccounts, strategyMargin } from '../../src/strategy/accounts.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/accounts.json', import.meta.url));

describe('accounts file', () => {
  it('examples/accounts.json: its account, the defaults merged under its haircuts', () => {
    const file = loadAccounts(EXAMPLE);
    const json = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    expect(file.accounts).toEqual([
      { name: 'desk', strategies: ['lever', 'ma-cross'], cash: 200_000, margin: { ...json.margin, haircuts: { '*': 0.05, TSLA: 0.15 } } },
    ]);
    expect(accountOf(file, 'ma-cross')?.name).toBe('desk');
    expect(accountOf(file, 'other')).toBeUndefined();
    expect(strategyMargin(file, 'lever').horizon).toBe(5);
    expect(() => strategyMargin(file, 'other')).toThrow(
      `${EXAMPLE}: expected an account for strategy 'other', got accounts of lever, ma-cross only`,
    );
  });

  it('docs/margin.md shows examples/accounts.json as it is', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/margin.md', import.meta.url)), 'utf8');
    const block = /## Accounts[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)![1];
    expect(block).toBe(readFileSync(EXAMPLE, 'utf8'));
  });

  it("an account's margin overrides the file's, field by field", () => {
    const text = JSON.stringify({
      margin: { horizon: 3, lambda: 0.9 },
      accounts: [{ name: 'a', strategies: ['s'], cash: 1, margin: { horizon: 1 } }],
    });
    expect(parseAccounts(text, 'f.json').accounts[0].margin).toEqual({ horizon: 1, lambda: 0.9 });
  });

  it('a mistake names the file, the line and the field', () => {
    const lines = (...l: string[]) => l.join('\n');
    const cases: [string, string][] = [
      [
        lines(
          '{',
          '  "accounts": [',
          '    { "name": "a", "strategies": ["s"], "cash": 10,',
          '      "haircuts": { "*": 0.1, "TSLA": -0.1 } }',
          '  ]',
          '}',
        ),
        'a.json:4: accounts[0].haircuts.TSLA: expected a haircut in [0, 1), got -0.1',
      ],
      [
        lines(
          '{',
          '  "accounts": [',
          '    { "name": "a", "strategies": ["s"], "cash": 10 },',
          '    { "name": "b", "strategies": ["t", "s"], "cash": 10 }',
          '  ]',
          '}',
        ),
        "a.json:4: accounts[1].strategies[1]: expected a strategy of one account (it is account 'a''s), got \"s\"",
      ],
      [
        lines('{', '  "accounts": [', '    { "name": "a", "strategies": ["s"], "cash": -1 }', '  ]', '}'),
        'a.json:3: accounts[0].cash: expected a finite number >= 0, got -1',
      ],
      [
        lines(
          '{',
          '  "margin": {',
          '    "confidence": 1.5',
          '  },',
          '  "accounts": [{ "name": "a", "strategies": ["s"], "cash": 1 }]',
          '}',
        ),
        'a.json:3: margin.confidence: expected a number in (0, 1), got 1.5',
      ],
      [
        lines('{', '  "accounts": [{ "name": "a", "strategies": ["s"], "cash": 1,', '    "margin": { "every": "weekly" } }]', '}'),
        "a.json:3: accounts[0].margin.every: expected 'daily', 'hourly', 'minute' or an integer of ms >= 1, got \"weekly\"",
      ],
      [
        lines('{', '  "accounts": [{ "name": "a", "strategies": ["s"], "cash": 1, "limit": 3 }]', '}'),
        'a.json:2: accounts[0].limit: expected one of name, strategies, cash, haircuts, margin, got "limit"',
      ],
      [
        lines('{', '  "accounts": [', '    { "name": "a", "strategies": ["s"] "cash": 1 }', '  ]', '}'),
        `a.json:3: expected a JSON accounts file, got '"' where ',' or '}' was expected`,
      ],
      [lines('{ "accounts": [] }'), 'a.json:1: accounts: expected a list of accounts, got an Array of length 0'],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseAccounts(text, 'a.json');
      } catch (e) {
        error = e;
      }
      expect(error, message).toBeInstanceOf(KernelInputError);
      expect((error as Error).message, text).toBe(message);
    }
  });

  it('an unreadable file is the error naming --accounts', () => {
    expect(() => loadAccounts('/nonexistent/accounts.json')).toThrow(
      '--accounts: expected a readable accounts file, got /nonexistent/accounts.json (ENOENT)',
    );
  });
});
