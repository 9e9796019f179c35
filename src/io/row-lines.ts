/**
 * The line of a data row of a CSV/TSV file (gzip too), for messages that name `file:line`: the file read
 * again, as a stream, by docs/io.md's record rules (blank lines are no record, the header is the first
 * record, a quoted field may span lines, `""` is a quote inside one, a quote inside an unquoted field
 * is text). Forward only: rows are asked for in increasing order, and each is found from where the last
 * one was. Used on the error path and for the bad trades a read reports, never on the hot path.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** The 1-based line on which each data row (0-based, after the header) of a CSV file starts. */
export class RowLines {
  private chunks: AsyncIterator<string | Buffer> | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private at = 0;
  /** The line the scan is on, and the record it is in (-1: the header; -2: before it). */
  private line = 1;
  private record = -2;
  /** The line each record started on (while scanning it). */
  private recordLine = 1;
  private lineEmpty = true;
  private fieldStart = true;
  private quoted = false;
  private quoteSeen = false;
  private ended = false;

  private constructor(
    private readonly path: string,
    private readonly delimiter: number,
  ) {}

  /** A scanner of the CSV file at `path` (gzip looked through), or undefined when it cannot be read. */
  static async of(path: string, delimiter: string): Promise<RowLines | undefined> {
    try {
      const file = await open(path, 'r');
      await file.close();
    } catch {
      return undefined;
    }
    return new RowLines(path, delimiter.charCodeAt(0));
  }

  /** The line data row `row` (0-based) starts on, or undefined past the end (or rows asked out of order). */
  async lineOf(row: number): Promise<number | undefined> {
    if (row < this.record) return undefined;
    while (this.record < row) {
      if (!(await this.step())) return undefined;
    }
    return this.recordLine;
  }

  /** Scans one byte (reading more when needed); false at the end of the file. */
  private async step(): Promise<boolean> {
    if (this.at >= this.buffer.length) {
      if (this.ended) return false;
      this.chunks ??= (await this.stream())[Symbol.asyncIterator]();
      const next = await this.chunks!.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      this.buffer = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      this.at = 0;
      if (this.buffer.length === 0) return true;
    }
    this.scan(this.buffer[this.at++]);
    return true;
  }

  /** The file's bytes as a stream, decompressed when it starts with gzip's magic bytes. */
  private async stream(): Promise<NodeJS.ReadableStream> {
    const head = Buffer.alloc(2);
    const file = await open(this.path, 'r');
    try {
      await file.read(head, 0, 2, 0);
    } finally {
      await file.close();
    }
    const raw = createReadStream(this.path);
    return head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  }

  /** The record state machine, one byte. */
  private scan(b: number): void {
    if (this.quoted) {
      if (b === NL) this.line++;
      else if (b === QUOTE) {
        this.quoted = false;
        this.quoteSeen = true;
      }
      return;
    }
    if (b === QUOTE && this.quoteSeen) {
      // `""` inside a quoted field: the field goes on quoted
      this.quoted = true;
      this.quoteSeen = false;
      return;
    }
    this.quoteSeen = false;
    if (b === NL) {
      this.line++;
      this.fieldStart = true;
      this.lineEmpty = true;
      return;
    }
    if (b === CR && this.lineEmpty) return;
    if (this.lineEmpty) {
      // the first byte of a record (a blank line is none)
      this.lineEmpty = false;
      this.record++;
      this.recordLine = this.line;
      this.fieldStart = true;
    }
    if (this.fieldStart && b === QUOTE) this.quoted = true;
    this.fieldStart = b === this.delimiter;
  }
}
