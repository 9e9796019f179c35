/**
 * The line of a data row of a CSV/TSV file (gzip too), for messages that name `file:line`: the file read
 * again, as a stream, by docs/io.md's record rules (blank lines are no record, the header is the first
 * record, a quoted field may span lines, `""` is a quote inside one, a quote inside an unquoted field
 * is text). Forward only: rows are asked for in increasing order, and each is found from where the last
 * one was. Used on the error path and for the bad trades a read reports, never on the hot path.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { formatOfBytes, headOfFile } from './source.js';

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
    private readonly gzip: boolean,
  ) {}

  /** A scanner of the CSV file at `path` (gzip looked through), or undefined when it cannot be read. */
  static async of(path: string, delimiter: string): Promise<RowLines | undefined> {
    let head: Uint8Array;
    try {
      head = await headOfFile(path, 8);
    } catch {
      return undefined;
    }
    return new RowLines(path, delimiter.charCodeAt(0), formatOfBytes(head) === 'gzip');
  }

  /** The line data row `row` (0-based) starts on, or undefined past the end (or rows asked out of order). */
  async lineOf(row: number): Promise<number | undefined> {
    if (row < this.record) return undefined;
    // each chunk of the file scanned in one synchronous loop, up to the row's first byte
    while (this.record < row) {
      if (this.at >= this.buffer.length && !(await this.read())) return undefined;
      const buffer = this.buffer;
      while (this.at < buffer.length && this.record < row) this.scan(buffer[this.at++]);
    }
    return this.recordLine;
  }

  /** The next chunk of the file into `buffer`; false at its end. */
  private async read(): Promise<boolean> {
    if (this.ended) return false;
    this.chunks ??= this.stream()[Symbol.asyncIterator]();
    const next = await this.chunks.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buffer = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    this.at = 0;
    return true;
  }

  /** The file's bytes as a stream, decompressed when it is gzip. */
  private stream(): NodeJS.ReadableStream {
    const raw = createReadStream(this.path);
    return this.gzip ? raw.pipe(createGunzip()) : raw;
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
