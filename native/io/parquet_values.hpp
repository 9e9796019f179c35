// The encodings of a page's values and levels (parquet-format Encodings.md): the RLE/bit-packed hybrid
// (levels, dictionary indices, RLE booleans), PLAIN, DELTA_BINARY_PACKED and BYTE_STREAM_SPLIT, decoded
// into float64 (numbers and times, converted as Column::convert says) or into dictionary codes (text).
// Every read is bounds-checked: a short or malformed section throws ParquetError (Corrupt).
#pragma once

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "parquet.hpp"
#include "parquet_thrift.hpp"

namespace kernelbus::parquet {

/// Encodings (parquet.thrift Encoding).
enum Encoding : int {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

/// A byte range of a page, with the place it came from for messages.
struct Section {
  const uint8_t* data;
  size_t size;
};

/// Decodes `n` values of the RLE/bit-packed hybrid of `width` bits (0-32) from `in`, calling
/// run(value, count) for each run of one value and many(values, count) for the values of a bit-packed
/// run, unpacked in batches of up to kHybridBatch. Returns the bytes consumed. `what` names the section
/// in messages.
template <typename Run, typename Many>
size_t decodeHybrid(Section in, int width, size_t n, const char* what, Run&& run, Many&& many);

constexpr size_t kHybridBatch = 256;

/// A text column chunk's strings: a local id per distinct string, in the order first interned.
struct TextDictionary {
  std::deque<std::string> values;
  std::unordered_map<std::string_view, int32_t> index;
  int32_t intern(std::string_view s);
};

/// Decodes a dictionary page's `n` PLAIN values of a number/time column into `dict` (converted).
void numberDictionary(Section in, const Column& column, size_t n, std::vector<double>& dict);
/// Decodes a dictionary page's `n` PLAIN strings into `ids` (their ids in `text`).
void textDictionary(Section in, size_t n, TextDictionary& text, std::vector<int32_t>& ids);

/// Decodes `n` non-null values of a number/time column's data page (`encoding`) into dst[0, n).
/// `dict`: the chunk's dictionary (for the dictionary encodings; `haveDict` false when there was none).
void decodeNumbers(Section in, int encoding, const Column& column, size_t n, const std::vector<double>& dict, bool haveDict, double* dst);
/// Decodes `n` non-null values of a text column's data page into codes dst[0, n) (ids in `text`).
void decodeText(Section in, int encoding, size_t n, const std::vector<int32_t>& dictIds, bool haveDict, TextDictionary& text, int32_t* dst);

// --- the hybrid decoder (a template: the page reader decodes levels with it too) ---

/// Little-endian load of up to 8 bytes at p (`avail` bytes readable from p; missing bytes read as 0).
inline uint64_t loadLE(const uint8_t* p, size_t avail) {
  uint64_t v = 0;
  if (avail >= 8) {
    std::memcpy(&v, p, 8);
  } else {
    for (size_t i = 0; i < avail; i++) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  }
  return v;
}

template <typename Run, typename Many>
size_t decodeHybrid(Section in, int width, size_t n, const char* what, Run&& run, Many&& many) {
  if (width < 0 || width > 32) corrupt(std::string(what) + ": a bit width of " + std::to_string(width));
  const uint8_t* p = in.data;
  const uint8_t* const end = in.data + in.size;
  const uint64_t mask = (uint64_t{1} << width) - 1;
  const size_t valueBytes = static_cast<size_t>((width + 7) / 8);
  size_t done = 0;
  while (done < n) {
    uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      if (p >= end) corrupt(std::string(what) + " ends after " + std::to_string(done) + " of " + std::to_string(n) + " values");
      if (shift > 35) corrupt(std::string(what) + ": an overlong run header");
      const uint8_t b = *p++;
      header |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    if (header & 1) {
      // bit-packed: (header >> 1) groups of 8 values, LSB first; the last run may stop short of its padding
      const uint64_t groups = header >> 1;
      const size_t avail = static_cast<size_t>(end - p);
      const uint64_t bytes = groups * static_cast<uint64_t>(width);
      const size_t have = bytes <= avail ? static_cast<size_t>(bytes) : avail;
      uint64_t count = groups * 8;
      if (width > 0 && count > have * 8 / static_cast<size_t>(width)) count = have * 8 / static_cast<size_t>(width);
      const size_t take = count < n - done ? static_cast<size_t>(count) : n - done;
      if (take == 0 && groups > 0) corrupt(std::string(what) + ": a bit-packed run past its end");
      if (width == 0) {
        if (take) run(uint32_t{0}, take);
      } else {
        uint32_t batch[kHybridBatch];
        // values whose 8-byte load stays inside the run: the fast loop; the last few: loadLE
        const size_t fast = have >= 8 ? std::min(take, ((have - 8) * 8) / static_cast<size_t>(width) + 1) : 0;
        for (size_t k0 = 0; k0 < take; k0 += kHybridBatch) {
          const size_t k1 = std::min(take, k0 + kHybridBatch);
          size_t k = k0;
          for (; k < std::min(k1, fast); k++) {
            const size_t bit = k * static_cast<size_t>(width);
            uint64_t w;
            std::memcpy(&w, p + (bit >> 3), 8);
            batch[k - k0] = static_cast<uint32_t>((w >> (bit & 7)) & mask);
          }
          for (; k < k1; k++) {
            const size_t bit = k * static_cast<size_t>(width), byte = bit >> 3;
            batch[k - k0] = static_cast<uint32_t>((loadLE(p + byte, have - byte) >> (bit & 7)) & mask);
          }
          many(static_cast<const uint32_t*>(batch), k1 - k0);
        }
      }
      done += take;
      p += have;
    } else {
      const uint64_t count = header >> 1;
      if (static_cast<size_t>(end - p) < valueBytes) corrupt(std::string(what) + ": an RLE run past its end");
      const uint64_t value = loadLE(p, valueBytes);
      p += valueBytes;
      if (value > mask) corrupt(std::string(what) + ": an RLE value wider than its bit width");
      const size_t take = count < n - done ? static_cast<size_t>(count) : n - done;
      if (take) run(static_cast<uint32_t>(value), take);
      done += take;
    }
  }
  return static_cast<size_t>(p - in.data);
}

}  // namespace kernelbus::parquet
