/** `kernelbus feed`'s options of a tape and of the synthetic market, checked before anything connects. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runFeed } from '../../src/cli/feed.js';
import { KernelInputError } from '../../src/errors.js';

const feed = (argv: string[]) => runFeed(['--redis', 'redis://127.0.0.1:1', ...argv], new PassThrough(), undefined, new PassThrough());

describe('kernelbus feed options', () => {
  it("refuses the flags of a tape without one, and the synthetic market's with one, naming the flag", async () => {
    await expect(feed(['--speed', '2'])).rejects.toThrow('--speed: expected to come with --file, --returns or --panel, got 2');
    await expect(feed(['--loop'])).rejects.toThrow('--loop: expected to come with --file, --returns or --panel, got true');
    await expect(feed(['--file', 'examples/tape.csv', '--rate', '5'])).rejects.toThrow(
      '--rate: expected to come without --file, --returns and --panel (the synthetic market), got 5',
    );
    await expect(feed(['--file', 'examples/tape.csv', '--quotes'])).rejects.toThrow(KernelInputError);
  });

  it('checks --speed, --from, --to and --symbols of a tape', async () => {
    await expect(feed(['--file', 'examples/tape.csv', '--speed', '0'])).rejects.toThrow(
      '--speed: expected \'max\' or a number > 0, got "0"',
    );
    await expect(feed(['--file', 'examples/tape.csv', '--from', 'noon'])).rejects.toThrow(
      '--from: expected epoch ms or an ISO 8601 time, got "noon"',
    );
    await expect(feed(['--file', 'examples/tape.csv', '--symbols', 'A,,B'])).rejects.toThrow(
      '--symbols: expected symbols separated by commas, got "A,,B"',
    );
    await expect(feed(['--symbols', 'AAPL'])).rejects.toThrow('--symbols: expected an integer in [1, 100000], got "AAPL"');
    await expect(feed(['--file', ''])).rejects.toThrow('--file: expected a non-empty value, got ""');
  });

  it('checks --bar-ms and --session: a tape of trades, no --returns beside them, market hours', async () => {
    await expect(feed(['--bar-ms', '60000'])).rejects.toThrow('--bar-ms: expected to come with --file, --returns or --panel, got 60000');
    await expect(feed(['--returns', 'examples/returns.csv', '--bar-ms', '60000'])).rejects.toThrow(
      '--bar-ms: expected to come without --returns (both publish RETURNS_UPDATE), got 60000',
    );
    await expect(feed(['--file', 'examples/tape.csv', '--session', '09:30-16:00'])).rejects.toThrow(
      '--session: expected to come with --bar-ms, got "09:30-16:00"',
    );
    await expect(feed(['--file', 'examples/tape.csv', '--bar-ms', '0'])).rejects.toThrow(/^--bar-ms: expected/);
    await expect(feed(['--file', 'examples/tape.csv', '--bar-ms', '60000', '--session', 'noon'])).rejects.toThrow(
      /^--session: expected market hours/,
    );
  });

  it('checks --linger-ms: a number of ms in [0, 1000]', async () => {
    await expect(feed(['--linger-ms=-1'])).rejects.toThrow('--linger-ms: expected a number in [0, 1000], got "-1"');
    await expect(feed(['--linger-ms', '2000'])).rejects.toThrow('--linger-ms: expected a number in [0, 1000], got "2000"');
    await expect(feed(['--linger-ms', 'soon'])).rejects.toThrow(/^--linger-ms: expected/);
  });

  it('checks --tick-ms: a number of ms in [0, 1000], with a tape only', async () => {
    await expect(feed(['--file', 'examples/tape.csv', '--tick-ms=-1'])).rejects.toThrow(
      '--tick-ms: expected a number in [0, 1000], got "-1"',
    );
    await expect(feed(['--file', 'examples/tape.csv', '--tick-ms', 'soon'])).rejects.toThrow(/^--tick-ms: expected/);
    await expect(feed(['--tick-ms', '5'])).rejects.toThrow('--tick-ms: expected to come with --file, --returns or --panel, got 5');
  });

  it("a file that does not exist: the reader's error, before connecting", async () => {
    await expect(feed(['--returns', 'no-such-file.csv'])).rejects.toThrow(/no-such-file\.csv/);
    await expect(feed(['--file', 'examples/tape.csv', '--file', 'no-such-tape.parquet'])).rejects.toThrow(/ENOENT.*no-such-tape\.parquet/);
  });
});
