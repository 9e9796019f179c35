/**
 * Bytes a CSV reader cares about, for fast-check inputs that hit the dialect's corners more often than
 * uniform bytes do: quote, delimiters, line breaks, blanks, digits and number signs, letters of NA /
 * NaN / inf, the BOM's bytes, an invalid UTF-8 byte, and ISO 8601's T, colon and Z.
 */
import fc from 'fast-check';

export const csvByte = () =>
  fc.constantFrom(
    ...[0x22, 0x2c, 0x3b, 0x0a, 0x0d, 0x20, 0x09, 0x31, 0x2e, 0x65, 0x2d, 0x41, 0x4e, 0xef, 0xbb, 0xbf, 0xff, 0x54, 0x3a, 0x30, 0x5a],
  );
