// The native Parquet reader (read only): plain C++ over the file's bytes, no N-API (the binding is
// native/binding/parquet_binding.cc, the TypeScript side src/io/parquet-native.ts, docs/io.md "Parquet").
//
// Flat schemas only. readFooter() decodes the footer (thrift compact FileMetaData) and says per column
// what it decodes to, or why it cannot (`unsupported`: the caller falls back to a library);
// decodeColumns() decodes chosen columns into caller-owned arrays, row groups x columns across
// threadCount() threads. Every length and offset is checked: a corrupt file is a Result, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kernelbus::parquet {

/// What a call did: Ok, a corrupt file (message says what is wrong and where), or something this reader
/// does not decode (message says what: the caller reads the file with a library instead).
struct Result {
  enum Code : int { Ok = 0, Corrupt = 1, Unsupported = 2 };
  Code code = Ok;
  std::string message;
};

/// What a column becomes: numbers (float64), times (float64 epoch ms) or text (int32 codes + strings).
enum class Kind : int { Number = 0, Time = 1, Text = 2 };

/// How a column's physical values become float64 (time units scale to epoch milliseconds).
enum class Convert : int {
  None,      // DOUBLE, FLOAT, BOOLEAN, signed integers: the value
  Unsigned,  // UINT_32 / UINT_64 (INT32 / INT64 read as unsigned)
  Seconds,   // an Arrow timestamp[s] (plain INT64 in Parquet, marked in the Arrow schema): x 1000
  Millis,    // TIMESTAMP(MILLIS): the value
  Micros,    // TIMESTAMP(MICROS): split as H + L / 1e3 (no digit lost before the final rounding)
  Nanos,     // TIMESTAMP(NANOS): H + L / 1e6
  Days,      // DATE: days x 86,400,000
  Int96,     // legacy INT96 timestamps: nanoseconds of the day + Julian day
};

/// Physical types (parquet.thrift Type).
enum Physical : int { kBoolean = 0, kInt32 = 1, kInt64 = 2, kInt96 = 3, kFloat = 4, kDouble = 5, kByteArray = 6, kFixed = 7 };

/// A leaf column of the (flat) schema.
struct Column {
  std::string name;
  Kind kind = Kind::Number;
  int physical = kDouble;
  Convert convert = Convert::None;
  bool optional = false;  // OPTIONAL: definition levels, nulls -> NaN / code -1
  /// Why this column cannot be decoded here ('' when it can): DECIMAL, FIXED_LEN_BYTE_ARRAY, ...
  std::string unsupported;
};

/// A column chunk of a row group: where its pages are, and how they are compressed.
struct Chunk {
  int codec = 0;       // CompressionCodec: 0 UNCOMPRESSED, 1 SNAPPY, 6 ZSTD decode here
  uint64_t begin = 0;  // first page (the dictionary page when there is one)
  uint64_t size = 0;   // total_compressed_size
  int64_t values = 0;  // num_values
};

struct RowGroup {
  int64_t rows = 0;
  uint64_t firstRow = 0;      // the rows of the row groups before it
  std::vector<Chunk> chunks;  // one per column, in schema order
};

struct Footer {
  int64_t rows = 0;
  std::string arrowSchema;  // the ARROW:schema key's value (base64 IPC schema), "" when absent
  std::vector<Column> columns;
  std::vector<RowGroup> rowGroups;
};

/// Decodes the footer of the file `data[0, size)`. Ok: `footer` is filled and checked (row counts add
/// up, every chunk lies inside the file); Unsupported: a nested or repeated schema, an encrypted footer;
/// Corrupt otherwise. Per-column limits (a DECIMAL, an unknown codec) are in Column::unsupported.
Result readFooter(const uint8_t* data, size_t size, Footer& footer);

/// A Number column read as epoch times (a ts column of plain numbers, or an Arrow timestamp[s], which
/// Parquet stores as plain INT64): its values scaled to epoch ms once decoded (s x 1000, us / 1e3,
/// ns / 1e6). Detect: the unit the first finite value's magnitude shows (>= 1e17 ns, >= 1e14 us,
/// >= 1e11 ms, >= 1e8 s, else ms).
enum class EpochUnit : int { None = 0, Seconds = 1, Millis = 2, Micros = 3, Nanos = 4, Detect = 5 };

/// Marks the columns the Arrow schema `encoded` (the ARROW:schema metadata, base64) says are times
/// that the Parquet types do not: a timestamp[s] INT64 (Time, Convert::Seconds) and a float64 with
/// kernelbus:type = time (Time, values as they are). An unreadable schema changes nothing.
/// readFooter() calls it.
void applyArrowTimes(const std::string& encoded, std::vector<Column>& columns);

/// Where one column goes: `numbers` (Number and Time kinds) or `codes` (Text), `length` = footer.rows.
struct ColumnOut {
  int column = 0;             // index into footer.columns
  double* numbers = nullptr;  // Number / Time: NaN for a null
  int32_t* codes = nullptr;   // Text: index into `dictionary`, -1 for a null
  size_t length = 0;
  /// Number columns: the unit to read them in as epoch ms; after decodeColumns() the unit applied
  /// (Detect resolved; None for a column of another kind, whose values stand).
  EpochUnit epoch = EpochUnit::None;
  /// Number / Time: after decodeColumns(), the first row holding NaN (a null, or a NaN value), -1 when none.
  int64_t firstMissing = -1;
  /// Text: the values, in order of first appearance in the column (filled by decodeColumns).
  std::vector<std::string> dictionary;
};

/// Limits for untrusted input (the fuzz target lowers them).
struct Limits {
  /// The largest decompressed page (bytes): a larger one is refused as corrupt.
  uint64_t maxPageBytes = uint64_t{1} << 31;
};

/// Decodes the columns of `outs` (each column at most once) from every row group, across threadCount()
/// threads. `footer` is readFooter()'s for the same bytes. On Corrupt or Unsupported the outputs hold
/// partial results.
Result decodeColumns(const uint8_t* data, size_t size, const Footer& footer, std::vector<ColumnOut>& outs, const Limits& limits = {});

/// Scales out.numbers[0, length) from `out.epoch` to epoch ms (Detect resolved first), across threads.
void toEpochMillis(ColumnOut& out);

/// Reads the file at `path` into out[0, size) (the caller took its size); `read`: the bytes read (fewer
/// when the file is shorter now). Corrupt with the system's message when it cannot be opened or read.
Result readFileInto(const char* path, uint8_t* out, size_t size, size_t& read);

}  // namespace kernelbus::parquet
