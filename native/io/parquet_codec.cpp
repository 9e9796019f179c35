// Snappy's raw block format (google/snappy format_description.txt): a varint of the decompressed
// length, then elements: a literal (tag 00) or a copy of earlier output (tags 01, 10, 11: 1-, 2- or
// 4-byte offsets). Every length and offset is checked against the input and the output.
#include "parquet_codec.hpp"

#include <cstdint>
#include <cstring>

#include "zstd.h"

namespace kernelbus::parquet {

bool snappyDecompress(const uint8_t* src, size_t srcSize, uint8_t* dst, size_t dstSize) {
  const uint8_t* p = src;
  const uint8_t* const end = src + srcSize;
  uint64_t length = 0;
  for (int shift = 0;; shift += 7) {
    if (p >= end || shift > 28) return false;
    const uint8_t b = *p++;
    length |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  if (length != dstSize) return false;
  size_t out = 0;
  while (p < end) {
    const uint8_t tag = *p++;
    size_t len = 0, offset = 0;
    switch (tag & 3) {
      case 0: {
        len = tag >> 2;
        if (len >= 60) {
          const size_t bytes = len - 59;
          if (static_cast<size_t>(end - p) < bytes) return false;
          len = 0;
          for (size_t i = 0; i < bytes; i++) len |= static_cast<size_t>(p[i]) << (8 * i);
          p += bytes;
        }
        len += 1;
        if (static_cast<size_t>(end - p) < len || dstSize - out < len) return false;
        std::memcpy(dst + out, p, len);
        p += len;
        out += len;
        continue;
      }
      case 1:
        if (p >= end) return false;
        len = 4 + ((tag >> 2) & 7);
        offset = (static_cast<size_t>(tag >> 5) << 8) | *p++;
        break;
      case 2:
        if (end - p < 2) return false;
        len = 1 + (tag >> 2);
        offset = static_cast<size_t>(p[0]) | static_cast<size_t>(p[1]) << 8;
        p += 2;
        break;
      default:
        if (end - p < 4) return false;
        len = 1 + (tag >> 2);
        offset =
            static_cast<size_t>(p[0]) | static_cast<size_t>(p[1]) << 8 | static_cast<size_t>(p[2]) << 16 | static_cast<size_t>(p[3]) << 24;
        p += 4;
        break;
    }
    if (offset == 0 || offset > out || dstSize - out < len) return false;
    uint8_t* d = dst + out;
    const uint8_t* s = d - offset;
    if (offset >= len) {
      std::memcpy(d, s, len);
    } else {
      for (size_t i = 0; i < len; i++) d[i] = s[i];  // overlapping: a run
    }
    out += len;
  }
  return out == dstSize;
}

// LZ4's block format (lz4/lz4 doc/lz4_Block_format.md; Parquet's LZ4_RAW): sequences of a token (4 bits
// of literal length, 4 of match length - 4; 15 continues in bytes of 255), the literals, a 2-byte
// offset and the match; the last sequence is literals only.
bool lz4Block(const uint8_t* src, size_t srcSize, uint8_t* dst, size_t windowStart, size_t& out, size_t cap) {
  const uint8_t* p = src;
  const uint8_t* const end = src + srcSize;
  auto length = [&](size_t len) -> size_t {
    if (len != 15) return len;
    for (;;) {
      if (p >= end) return SIZE_MAX;
      const uint8_t b = *p++;
      len += b;
      if (len > cap) return SIZE_MAX;
      if (b != 255) return len;
    }
  };
  while (p < end) {
    const uint8_t token = *p++;
    const size_t literals = length(token >> 4);
    if (literals == SIZE_MAX || static_cast<size_t>(end - p) < literals || cap - out < literals) return false;
    std::memcpy(dst + out, p, literals);
    p += literals;
    out += literals;
    if (p == end) break;  // the last sequence: literals only
    if (end - p < 2) return false;
    const size_t offset = static_cast<size_t>(p[0]) | static_cast<size_t>(p[1]) << 8;
    p += 2;
    size_t match = length(token & 15);
    if (match == SIZE_MAX) return false;
    match += 4;
    if (offset == 0 || offset > out - windowStart || cap - out < match) return false;
    uint8_t* d = dst + out;
    const uint8_t* s = d - offset;
    if (offset >= match) {
      std::memcpy(d, s, match);
    } else {
      for (size_t i = 0; i < match; i++) d[i] = s[i];  // overlapping: a run
    }
    out += match;
  }
  return true;
}

bool lz4Decompress(const uint8_t* src, size_t srcSize, uint8_t* dst, size_t dstSize) {
  size_t out = 0;
  return lz4Block(src, srcSize, dst, 0, out, dstSize) && out == dstSize;
}

ZstdContext::~ZstdContext() {
  if (ctx_) ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(ctx_));
}

bool ZstdContext::decompress(const uint8_t* src, size_t srcSize, uint8_t* dst, size_t dstSize) {
  if (!ctx_) {
    ctx_ = ZSTD_createDCtx();
    if (!ctx_) return false;
  }
  const size_t n = ZSTD_decompressDCtx(static_cast<ZSTD_DCtx*>(ctx_), dst, dstSize, src, srcSize);
  return !ZSTD_isError(n) && n == dstSize;
}

}  // namespace kernelbus::parquet
