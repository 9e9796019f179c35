// The CSV block parser (docs/io.md "The CSV dialect"; src/io/types.ts `ParseBlock`): plain C++17 over a
// byte range, no N-API. One block of records in, columns written in place: numbers and times as
// doubles, text as block-local dictionary codes. Parallel inside the block on threadCount() threads
// (parallel.hpp): pass 1 splits the block at line breaks speculatively and finds every chunk's record
// boundaries and counts (csv_scan.hpp), pass 2 parses each chunk's records into its rows
// (csv_chunk.hpp); results never depend on the thread count (the sequential reading, field for field
// and fault for fault: the earliest fault wins, dictionaries list values in first-appearance order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kernelbus::csv {

/// What the parser makes of a header column: `Kind` of src/io/types.ts, code for code.
enum class Kind : uint8_t { Skip = 0, Number = 1, Text = 2, TimeS = 3, TimeMs = 4, TimeUs = 5, TimeNs = 6 };
constexpr uint8_t kKindCount = 7;

/// Why a record was refused: `CsvFault` of src/io/types.ts, code for code.
enum class CsvFault : int { None = 0, Width = 1, NotANumber = 2, BadTime = 3, Missing = 4, UnclosedQuote = 5 };

/// At most this many bytes of a refused field (or record, for Width) are quoted.
constexpr size_t kFaultTextBytes = 64;

/// A column's output, `capacity` rows from row 0: doubles (number and time kinds), int32 dictionary
/// codes (text), or nothing (skip). Exactly the pointer its kind needs is set. Row r of a double
/// column is f64[r * stride] (stride > 1: a column of a row-major matrix, csv_returns.hpp).
struct ColumnOut {
  double* f64 = nullptr;
  int32_t* i32 = nullptr;
  size_t stride = 1;
};

/// How to parse one block (src/io/types.ts `BlockPlan`), with the output columns.
struct Plan {
  uint8_t delimiter = ',';
  const uint8_t* kinds = nullptr;     // a Kind per header column (`width` of them), each < kKindCount
  const uint8_t* required = nullptr;  // nonzero: a missing value in that column is a fault
  size_t width = 0;
  double firstLine = 1;  // the 1-based line of bytes[0]
  bool final = true;     // the block ends the input
  bool skipBadRows = false;
  size_t rowOffset = 0;
  const ColumnOut* out = nullptr;  // `width` columns
  size_t capacity = 0;             // rows each output column has room for
  /// The smallest chunk one thread parses (0: the default, 256 KiB). Tests and the fuzz target set
  /// small values to run the parallel split on small blocks; results do not depend on it.
  size_t chunkBytes = 0;
};

/// A refused record (src/io/types.ts `BlockFault`); the quoted text is bytes [textBegin, textEnd).
struct BlockFault {
  CsvFault code = CsvFault::None;
  double line = 0;    // 1-based line of the field (Width: of the record's start)
  double column = 0;  // 1-based byte column of the field's first byte in its line (Width: 1)
  size_t field = 0;   // 0-based index of the field in its record (Width: the fields found)
  size_t textBegin = 0, textEnd = 0;
  bool any() const { return code != CsvFault::None; }
};

/// What parsing one block did (src/io/types.ts `BlockResult`).
struct Result {
  size_t rows = 0;
  size_t consumed = 0;
  double lines = 0;
  size_t badRows = 0;
  BlockFault firstBad;  // when badRows > 0
  BlockFault fault;     // the refused record that stopped the block (not skipBadRows)
  bool needRowsSet = false;
  size_t needRows = 0;
  /// Per header column: for text kinds, the values (valid UTF-8) in order of first appearance; the
  /// codes written index it. Empty for the other kinds.
  std::vector<std::vector<std::string>> dictionaries;
};

/// Parses bytes [0, size) (a block starting at a record boundary) by `plan`, which the caller checked
/// (native/binding/io_binding.cc): every kind < kKindCount with the output its kind needs, the delimiter
/// none of '"', '\r', '\n' and ' ', firstLine an integer >= 1.
/// Writes the block's rows to out rows [rowOffset, rowOffset + rows); rows from rowOffset + rows up to
/// rowOffset + the block's record count may be overwritten too (a refused record's fields, the rows
/// after a fault that parallel chunks parsed, rows left behind when skipped ones are compacted out);
/// nothing else is written, nothing at all when the result is needRows.
Result parseBlock(const uint8_t* bytes, size_t size, const Plan& plan);

/// The text a fault quotes, as valid UTF-8 (invalid sequences become U+FFFD, as TextDecoder reads them).
std::string faultText(const uint8_t* bytes, const BlockFault& fault);

}  // namespace kernelbus::csv
