/**
 * CSV faults into messages: a BlockFault (from either block parser) becomes the KernelInputError of
 * docs/io.md's Errors table, formatted here once for both backends.
 */
import { KernelInputError } from '../errors.js';
import { type BlockFault, CsvFault } from './types.js';

/**
 * The KernelInputError for a refused record: its argument is `<file>:<line>:<column>`, its message
 * names the column (by its header name) and quotes the field (JSON.stringify).
 * @param fault what the block parser reported
 * @param file the source's name in messages (a path, `stdin` or `buffer`)
 * @param header every header column's name, in file order (selected or not)
 */
export function csvFaultError(fault: BlockFault, file: string, header: readonly string[]): KernelInputError {
  const where = `${file}:${fault.line}:${fault.column}`;
  const name = header[fault.field] ?? `column_${fault.field + 1}`;
  switch (fault.code) {
    case CsvFault.width:
      return new KernelInputError(`${file}:${fault.line}:1`, `${header.length} fields (as the header)`, `${fault.field}`);
    case CsvFault.notANumber:
      return new KernelInputError(where, `a number in column ${name}`, JSON.stringify(fault.text));
    case CsvFault.badTime:
      return new KernelInputError(where, `a time in column ${name} (epoch ms or ISO 8601)`, JSON.stringify(fault.text));
    case CsvFault.missing:
      return new KernelInputError(where, `a value in column ${name}`, fault.text === '' ? 'an empty field' : JSON.stringify(fault.text));
    case CsvFault.unclosedQuote:
      return new KernelInputError(where, 'a closing quote', 'the end of the input');
    default:
      return new KernelInputError(where, 'a valid record', `fault code ${String((fault as BlockFault).code)}`);
  }
}
