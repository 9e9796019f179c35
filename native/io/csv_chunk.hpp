// Pass 2 of the block parser: one chunk's records (found by pass 1) parsed into their rows. Fields are
// read as docs/io.md says (spaces and tabs skipped at the start, quoting, "" inside quotes, bytes after
// the closing quote appended, trailing spaces and tabs dropped, the '\r' of a CRLF dropped) and
// converted by their column's kind. Unquoted numbers and integer times take a fast path straight from
// the bytes (fast_float, then a check that the field ends there); anything else the general tokenizer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "csv.hpp"
#include "csv_text.hpp"

namespace kernelbus::csv {

/// What pass 2 parses: the records in [begin, end) (record boundaries), into rows from `row`.
struct ChunkJob {
  size_t begin = 0, end = 0;
  double line = 1;  // the line of `begin`
  size_t row = 0;   // the first row of out this chunk writes (rowOffset + records before it)
};

/// What a chunk's pass 2 did.
struct ChunkResult {
  size_t accepted = 0;  // rows written, from job.row on, contiguous
  size_t bad = 0;       // records refused and skipped (skipBadRows)
  BlockFault firstBad;
  BlockFault fault;                      // the refused record that stopped the chunk (not skipBadRows)
  size_t faultRecord = 0;                // where that record starts
  double faultRecordLine = 0;            // and its line
  std::vector<Dictionary> dictionaries;  // per column (text kinds): the chunk's values, codes as written
};

/// Parses the chunk's records by `plan` (checked by the caller: csv.hpp).
void parseChunk(const uint8_t* bytes, size_t size, const Plan& plan, const ChunkJob& job, ChunkResult& result);

}  // namespace kernelbus::csv
