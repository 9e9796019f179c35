// LZ4 frames (lz4/lz4 doc/lz4_Frame_format.md), the LZ4_FRAME codec of Arrow IPC body compression:
// a frame header, then blocks, each compressed (LZ4's block format) or stored, until a 0 end mark;
// frames may follow each other and skippable frames are skipped. A linked block's matches reach back
// into the frame's earlier blocks. Checksums are skipped, not verified; every length and offset is
// checked against the input and the output.
#include <cstring>

#include "arrow.hpp"

namespace kernelbus::arrow {
namespace {

inline uint32_t u32(const uint8_t* p) { return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24; }

/// One LZ4 block [src, src + n) onto dst[out, cap); matches reach back to dst[frameStart].
bool block(const uint8_t* src, size_t n, uint8_t* dst, size_t frameStart, size_t& out, size_t cap) {
  const uint8_t* p = src;
  const uint8_t* const end = src + n;
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
    if (offset == 0 || offset > out - frameStart || cap - out < match) return false;
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

}  // namespace

bool lz4FrameDecompress(const uint8_t* src, size_t srcSize, uint8_t* dst, size_t dstSize) {
  size_t p = 0, out = 0;
  while (p < srcSize) {
    if (srcSize - p < 8) return false;
    const uint32_t magic = u32(src + p);
    if ((magic >> 4) == 0x184D2A5) {  // a skippable frame
      const uint32_t skip = u32(src + p + 4);
      if (skip > srcSize - p - 8) return false;
      p += 8 + skip;
      continue;
    }
    if (magic != 0x184D2204) return false;
    const uint8_t flags = src[p + 4];
    if ((flags >> 6) != 1) return false;  // version 01
    const bool blockChecksum = flags & 0x10, contentSize = flags & 0x08, contentChecksum = flags & 0x04, dictId = flags & 0x01;
    const size_t header = 4 + 2 + (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1;
    if (srcSize - p < header) return false;
    p += header;
    const size_t frameStart = out;
    for (;;) {
      if (srcSize - p < 4) return false;
      const uint32_t word = u32(src + p);
      p += 4;
      if (word == 0) break;
      const size_t size = word & 0x7FFFFFFF;
      if (size > srcSize - p) return false;
      if (word & 0x80000000) {  // stored
        if (size > dstSize - out) return false;
        std::memcpy(dst + out, src + p, size);
        out += size;
      } else if (!block(src + p, size, dst, frameStart, out, dstSize)) {
        return false;
      }
      p += size;
      if (blockChecksum) {
        if (srcSize - p < 4) return false;
        p += 4;
      }
    }
    if (contentChecksum) {
      if (srcSize - p < 4) return false;
      p += 4;
    }
  }
  return out == dstSize;
}

}  // namespace kernelbus::arrow
