// A wide returns file (`date,A,B,...`, docs/io.md readReturns) read in one pass of the block parser
// (csv.hpp): every column but the date column a number column written straight into one row-major
// T x N matrix (column c of row t at t * N + c), the date column read as text and its values parsed
// as dates (ISO 8601 as docs/io.md "Times" reads it, UTC without an offset; or a plain number
// `[+-]?digits[.digits]` as it is), the rows then sorted by date (stable) in place. A date column
// holding anything else (labels) keeps the file's order and gives no dates. Plain C++17, no N-API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "csv.hpp"

namespace kernelbus::csv {

/// How to read the records of a wide file (the bytes after its header).
struct WidePlan {
  static constexpr size_t kNoColumn = static_cast<size_t>(-1);
  uint8_t delimiter = ',';
  double firstLine = 1;  // the 1-based line of bytes[0]
  bool skipBadRows = false;
  size_t width = 0;               // header columns
  size_t dateColumn = kNoColumn;  // the date column's index, or kNoColumn
  size_t chunkBytes = 0;          // Plan::chunkBytes
};

/// What readWide did. `block` is the parser's result (rows, faults, skipped rows); on a fault the
/// matrix and dates are to be dropped.
struct WideResult {
  Result block;
  size_t rows = 0;            // T: the matrix's rows written
  std::vector<double> dates;  // T dates (epoch ms, or the plain numbers), when datesParsed
  bool datesParsed = false;   // a date column whose every value is a date
};

/// Counts the records of bytes [0, size), asks `allocate` for room for that many rows (a T x N matrix
/// of doubles, N = width less the date column; it may return nullptr when T * N is 0), parses into it
/// and sorts its rows by date when the dates parsed and are not ascending. `plan` as csv.hpp's Plan
/// requires (delimiter none of '"', '\r', '\n' and ' ', firstLine an integer >= 1), dateColumn < width
/// or kNoColumn, width >= 1.
WideResult readWide(const uint8_t* bytes, size_t size, const WidePlan& plan, const std::function<double*(size_t rows)>& allocate);

/// A date's text as readReturns reads it: ISO 8601 (parseIso) or a plain number; false when neither.
bool parseDate(const uint8_t* b, const uint8_t* e, double& out);

}  // namespace kernelbus::csv
