// Pass 1 of the block parser: record boundaries. From a record start, the records (and blank lines)
// of a chunk of the block are found with the full field state machine (a '"' opens a quoted field only
// at a field's start, after spaces and tabs; inside it, delimiters and line breaks are content), and
// counted, with the '\n' bytes crossed. The whole lines before the next '"' are counted in one pass
// over windows of 64 bytes, their '\n', '\r' and '"' as bit masks (blank lines too), the bytes
// prefetched ahead: the 10^7-trade CSV's pass 1 on one thread 76 -> 37 ms, on two 40 -> 19 ms (a memchr
// for the quote, then 16-lane counts over the same bytes, before; C++, best of 3, 2026-12-05).
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernelbus::csv {

/// How far ahead of a pass over the block its bytes are prefetched: the hardware prefetchers alone left
/// pass 1 waiting on memory (the 10^7-trade tape's, one thread: 76 ms; 512 bytes ahead 73 ms, 2,048 or
/// 4,096 ahead 37 ms, C++, 2026-12-05).
inline constexpr size_t kPrefetchAhead = 2048;

/// One chunk's pass 1: records [start, end) of the block.
struct ScanResult {
  size_t start = 0;     // where the scan began (a record boundary, once verified)
  size_t end = 0;       // where it stopped: the first record (or blank line) starting at or after `to`
  size_t records = 0;   // records in [start, end), blank lines not counted
  size_t newlines = 0;  // '\n' bytes in [start, end), quoted ones included
  /// The block is not final and a record from `end` on has no line break before the block's end
  /// (nothing from `end` on belongs to this block).
  bool incomplete = false;
};

/// Scans the records (and blank lines) of bytes [0, size) that start in [from, to), from `from` on (a
/// record boundary, or a guess of one). `final`: a last record without a line break is complete.
ScanResult scanRecords(const uint8_t* bytes, size_t size, size_t from, size_t to, uint8_t delimiter, bool final);

/// '\n' bytes in [b, e).
size_t countNewlines(const uint8_t* b, const uint8_t* e);

}  // namespace kernelbus::csv
