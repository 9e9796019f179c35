// LZ4 frames (lz4/lz4 doc/lz4_Frame_format.md), the LZ4_FRAME codec of Arrow IPC body compression:
// a frame header, then blocks, each compressed (LZ4's block format) or stored, until a 0 end mark;
// frames may follow each other and skippable frames are skipped. A linked block's matches reach back
// into the frame's earlier blocks. Checksums are skipped, not verified; every length and offset is
// checked against the input and the output. The blocks are decoded by the Parquet codec's lz4Block.
#include <cstring>

#include "arrow.hpp"
#include "parquet_codec.hpp"

namespace kernelbus::arrow {
namespace {

inline uint32_t u32(const uint8_t* p) { return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24; }

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
      } else if (!parquet::lz4Block(src + p, size, dst, frameStart, out, dstSize)) {
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
