// The native Arrow IPC reader (read only): plain C++ over the file's bytes, no N-API (the binding is
// native/binding/arrow_binding.cc, the TypeScript side src/io/arrow-native.ts, docs/io.md "Parquet and Arrow").
//
// The file format ("ARROW1", messages, a flatbuffer footer) and the stream format (messages until the
// end-of-stream marker or the end of the bytes). Flatbuffers are read by hand (arrow_flatbuf.hpp): every
// offset is checked against its buffer and every count against the file's size, so a corrupt file is a
// Result, never a crash or a hang. Flat schemas of numbers, times, booleans and (dictionary) strings;
// for anything else the caller falls back to a library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kernelbus::arrow {

/// What a call did: Ok, a corrupt file (message says what and at which byte), or something this reader
/// does not decode (the caller reads the file with apache-arrow instead).
struct Result {
  enum Code : int { Ok = 0, Corrupt = 1, Unsupported = 2 };
  Code code = Ok;
  std::string message;
};

/// What a column becomes: numbers (float64), times (float64 epoch ms) or text (int32 codes + strings).
enum class Kind : int { Number = 0, Time = 1, Text = 2 };

/// The physical values of a column (of its dictionary's values for a dictionary-encoded one).
enum class Type : int { Null, Int, Float, Bool, Date32, Date64, Timestamp, Utf8, LargeUtf8, Other };

/// A column of the (flat) schema.
struct Column {
  std::string name;
  Kind kind = Kind::Number;
  Type type = Type::Other;
  int bitWidth = 0;      // Int: 8, 16, 32, 64; Float: 32 or 64
  bool isSigned = true;  // Int
  int unit = -1;         // Timestamp: 0 s, 1 ms, 2 us, 3 ns
  bool dictionary = false;
  int64_t dictionaryId = 0;
  int indexWidth = 32;  // the dictionary's index type (signed or not)
  bool indexSigned = true;
  int buffers = 0;      // buffers a record batch holds for it
  int firstBuffer = 0;  // the index of the first of them
  /// Why this column cannot be decoded here ('' when it can).
  std::string unsupported;
};

/// A buffer of a record batch: [offset, offset + length) of its message body.
struct BufferRef {
  uint64_t offset = 0;
  uint64_t length = 0;
};

/// A record batch's header: its rows, a node (length, null count) and buffers per column.
struct Batch {
  int64_t length = 0;
  std::vector<int64_t> nodeLength, nullCount;
  std::vector<BufferRef> buffers;
  int codec = -1;     // -1 none, 0 LZ4_FRAME, 1 ZSTD
  uint64_t body = 0;  // the body's first byte in the file
  uint64_t bodyLength = 0;
  /// Per buffer: its bytes overlap another buffer's (of any batch) or metadata the reader reads.
  std::vector<uint8_t> shared;
};

/// A dictionary batch: the values of dictionary `id` (appended to it when `delta`).
struct DictionaryBatch {
  int64_t id = 0;
  bool delta = false;
  Batch data;
};

/// A message in reading order: a record batch (index into File::batches) or a dictionary batch.
struct Step {
  bool dictionary = false;
  size_t index = 0;
};

struct File {
  bool stream = false;
  int64_t rows = 0;  // all record batches
  std::vector<Column> columns;
  std::vector<Batch> batches;
  std::vector<DictionaryBatch> dictionaries;
  std::vector<Step> order;
  /// Why the file as a whole is not decoded here ('' when it is): big-endian, a nested column...
  std::string unsupported;
};

/// Limits for untrusted input (the fuzz target lowers them).
struct Limits {
  /// The largest decompressed buffer (bytes).
  uint64_t maxBufferBytes = uint64_t{1} << 36;
};

/// Reads the schema and every message header of the file or stream `data[0, size)`. Ok: `file` is
/// filled and checked (messages and buffers inside the bytes, one node per column, row counts within
/// what the bytes can hold); Corrupt otherwise, naming the byte offset.
Result readFile(const uint8_t* data, size_t size, File& file);

/// Where one column goes: `numbers` (Number and Time kinds) or `codes` (Text), `length` its rows.
struct ColumnOut {
  int column = 0;             // index into file.columns
  double* numbers = nullptr;  // NaN for a null
  int32_t* codes = nullptr;   // index into `dictionary`, -1 for a null
  size_t length = 0;
  /// Text: the values, in order of first appearance (a dictionary's in its order), valid UTF-8.
  std::vector<std::string> dictionary;
};

/// Decodes the columns of `outs` from every record batch, concatenated (`batch` >= 0: from that one
/// only, `length` its rows). `file` is readFile()'s for the same bytes. On Corrupt or Unsupported the
/// outputs hold partial results.
Result decodeColumns(const uint8_t* data, size_t size, const File& file, std::vector<ColumnOut>& outs, int64_t batch = -1,
                     const Limits& limits = {});

/// The byte ranges of the file (BufferRef::offset from its first byte) that decodeColumns() reads for
/// the columns of `outs` with the same `batch`: their buffers in those record batches (not dictionary
/// batches), sorted, touching ranges merged. Once the outputs are written the reader is done with them:
/// a caller that mapped the file can hand those pages back (MappedFile::release).
std::vector<BufferRef> decodedRanges(const File& file, const std::vector<ColumnOut>& outs, int64_t batch = -1);

/// True when column `column` decodes to numbers that cannot be NaN: no nulls in any record batch, and
/// values of a type without NaN (integers, booleans, dates, timestamps).
bool nanFree(const File& file, size_t column);

/// The byte offset of column `column`'s float64 values in record batch `batch` when they can be read
/// in place: an uncompressed batch, a Float64 column without nulls, values whose bytes no other buffer
/// and no metadata share (a view of them must not change when another is written, nor a later read see
/// what was written to it); -1 otherwise.
int64_t float64InPlace(const File& file, size_t column, size_t batch);

// arrow_codec.cpp

/// Decodes LZ4 frames (lz4 doc/lz4_Frame_format.md; linked or independent blocks, checksums skipped)
/// into exactly `dstSize` bytes; false when malformed or of another length.
bool lz4FrameDecompress(const uint8_t* src, size_t srcSize, uint8_t* dst, size_t dstSize);

}  // namespace kernelbus::arrow
