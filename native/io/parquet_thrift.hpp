// Thrift's compact protocol, as far as Parquet's footer and page headers need it: a bounds-checked
// reader over a byte range. A read past the end, an overlong varint or too deep a nesting throws
// ParquetError (Corrupt); the callers turn it into a Result at their edge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#include "parquet.hpp"

namespace kernelbus::parquet {

/// What the reader's internals throw; caught at the library's edge (readFooter, decodeColumns).
struct ParquetError : std::runtime_error {
  Result::Code code;
  ParquetError(Result::Code c, const std::string& message) : std::runtime_error(message), code(c) {}
};

[[noreturn]] inline void corrupt(const std::string& message) { throw ParquetError(Result::Corrupt, message); }
[[noreturn]] inline void unsupported(const std::string& message) { throw ParquetError(Result::Unsupported, message); }

/// Compact protocol type ids.
enum TType : int {
  kTStop = 0,
  kTTrue = 1,
  kTFalse = 2,
  kTByte = 3,
  kTI16 = 4,
  kTI32 = 5,
  kTI64 = 6,
  kTDouble = 7,
  kTBinary = 8,
  kTList = 9,
  kTSet = 10,
  kTMap = 11,
  kTStruct = 12,
};

class Thrift {
 public:
  /// `what` names the structure in messages ("the footer", "a page header at byte 1234").
  Thrift(const uint8_t* begin, const uint8_t* end, std::string what) : p_(begin), begin_(begin), end_(end), what_(std::move(what)) {}

  size_t consumed() const { return static_cast<size_t>(p_ - begin_); }

  uint8_t byte() {
    if (p_ >= end_) corrupt(what_ + " ends early (" + std::to_string(consumed()) + " bytes read)");
    return *p_++;
  }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      const uint8_t b = byte();
      if (shift == 63 && b > 1) break;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    corrupt(what_ + " has an overlong varint");
  }

  int64_t zigzag() {
    const uint64_t v = varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }

  int32_t i32() {
    const int64_t v = zigzag();
    if (v < INT32_MIN || v > INT32_MAX) corrupt(what_ + " has an i32 out of range");
    return static_cast<int32_t>(v);
  }

  std::string_view binary() {
    const uint64_t n = varint();
    if (n > static_cast<uint64_t>(end_ - p_)) corrupt(what_ + " has a string past its end");
    std::string_view s(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
    p_ += n;
    return s;
  }

  /// A field header: its type (kTStop at the end of the struct) and id (from the previous field's, `last`).
  bool field(int& type, int& id, int last) {
    const uint8_t b = byte();
    type = b & 0x0f;
    if (type == kTStop) return false;
    const int delta = b >> 4;
    id = delta ? last + delta : static_cast<int>(static_cast<int16_t>(zigzag()));
    return true;
  }

  /// A bool field's value (carried in its type).
  static bool boolOf(int type) { return type == kTTrue; }

  /// A list or set header: the element type and count (each element takes at least a byte: the count
  /// is checked against the bytes left, so a corrupt count allocates nothing).
  size_t list(int& elementType) {
    const uint8_t b = byte();
    elementType = b & 0x0f;
    uint64_t n = b >> 4;
    if (n == 15) n = varint();
    if (n > static_cast<uint64_t>(end_ - p_)) corrupt(what_ + " has a list longer than its bytes");
    return static_cast<size_t>(n);
  }

  /// Skips a value of `type` (unknown fields).
  void skip(int type, int depth = 0) {
    if (depth > 32) corrupt(what_ + " nests too deep");
    switch (type) {
      case kTTrue:
      case kTFalse:
        return;  // a field's bool is in its type; a list's bool elements are a byte, read below
      case kTByte:
        byte();
        return;
      case kTI16:
      case kTI32:
      case kTI64:
        varint();
        return;
      case kTDouble:
        need(8);
        p_ += 8;
        return;
      case kTBinary:
        binary();
        return;
      case kTList:
      case kTSet: {
        int et = 0;
        const size_t n = list(et);
        for (size_t i = 0; i < n; i++) {
          if (et == kTTrue || et == kTFalse) {
            byte();
          } else {
            skip(et, depth + 1);
          }
        }
        return;
      }
      case kTMap: {
        const uint64_t n = varint();
        if (n == 0) return;
        if (n > static_cast<uint64_t>(end_ - p_)) corrupt(what_ + " has a map longer than its bytes");
        const uint8_t kv = byte();
        for (uint64_t i = 0; i < n; i++) {
          skipElement(kv >> 4, depth + 1);
          skipElement(kv & 0x0f, depth + 1);
        }
        return;
      }
      case kTStruct: {
        int t = 0, id = 0;
        while (field(t, id, id)) skip(t, depth + 1);
        return;
      }
      default:
        corrupt(what_ + " has an unknown field type " + std::to_string(type));
    }
  }

  const std::string& what() const { return what_; }

 private:
  void need(size_t n) {
    if (n > static_cast<size_t>(end_ - p_)) corrupt(what_ + " ends early (" + std::to_string(consumed()) + " bytes read)");
  }
  void skipElement(int type, int depth) {
    if (type == kTTrue || type == kTFalse) {
      byte();
    } else {
      skip(type, depth);
    }
  }

  const uint8_t* p_;
  const uint8_t* begin_;
  const uint8_t* end_;
  std::string what_;
};

/// A page header (PageHeader, with the fields of its data, dictionary or v2 header this reader uses).
struct PageHeader {
  int type = -1;  // 0 DATA_PAGE, 1 INDEX_PAGE, 2 DICTIONARY_PAGE, 3 DATA_PAGE_V2
  int32_t uncompressedSize = -1;
  int32_t compressedSize = -1;
  int32_t numValues = -1;
  int32_t encoding = 0;
  int32_t defEncoding = 3;  // v1: the definition levels' encoding (3 RLE)
  // v2 only
  int32_t numNulls = 0;
  int32_t defBytes = 0;
  int32_t repBytes = 0;
  bool compressed = true;
};

/// Reads one page header at [begin, end); `header` filled, returns its length in bytes.
size_t readPageHeader(const uint8_t* begin, const uint8_t* end, uint64_t offset, PageHeader& header);

}  // namespace kernelbus::parquet
