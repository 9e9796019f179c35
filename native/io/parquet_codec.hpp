// Page decompression: snappy and LZ4_RAW (raw blocks, hand-written), zstd (the vendored decoder,
// native/third_party/zstd) and none. Each checks that the page decompresses to exactly its declared size.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernelbus::parquet {

/// Decodes the raw snappy block [src, src + srcSize) into exactly `dstSize` bytes at dst; false when
/// the block is malformed or of another length.
bool snappyDecompress(const uint8_t* src, size_t srcSize, uint8_t* dst, size_t dstSize);

/// Decodes the raw LZ4 block (Parquet's LZ4_RAW codec) into exactly `dstSize` bytes; false otherwise.
bool lz4Decompress(const uint8_t* src, size_t srcSize, uint8_t* dst, size_t dstSize);

/// One LZ4 block [src, src + srcSize) appended to dst[out, cap) (`out` advanced), its matches reaching
/// back to dst[windowStart] at most (an LZ4 frame's linked blocks: the frame's start); false when the
/// block is malformed or would pass `cap`.
bool lz4Block(const uint8_t* src, size_t srcSize, uint8_t* dst, size_t windowStart, size_t& out, size_t cap);

/// A zstd decompression context per thread that decodes pages (created once per task, freed with it).
class ZstdContext {
 public:
  ZstdContext() = default;
  ZstdContext(const ZstdContext&) = delete;
  ZstdContext& operator=(const ZstdContext&) = delete;
  ~ZstdContext();
  /// Decodes the zstd frame(s) [src, src + srcSize) into exactly `dstSize` bytes; false otherwise.
  bool decompress(const uint8_t* src, size_t srcSize, uint8_t* dst, size_t dstSize);

 private:
  void* ctx_ = nullptr;
};

}  // namespace kernelbus::parquet
