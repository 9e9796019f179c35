// Values of a page: PLAIN, the dictionary encodings, DELTA_BINARY_PACKED and BYTE_STREAM_SPLIT, into
// float64 (converted per Column::convert) or dictionary codes. Little-endian hosts only (x86-64, arm64).
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

#include "parquet_thrift.hpp"
#include "parquet_values.hpp"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "the Parquet reader reads little-endian values with memcpy: a big-endian host needs byte swaps"
#endif

namespace kernelbus::parquet {
namespace {

constexpr double kMsPerDay = 86400000.0;
constexpr int64_t kUnixJulianDay = 2440588;  // the Julian day number of 1970-01-01

/// An integer count of `unit`s (10^k per ms) as epoch ms: split as H + L / 10^k, so that no digit is lost
/// before the final rounding (docs/io.md, Times).
inline double splitMs(int64_t v, int64_t per) {
  return static_cast<double>(v / per) + static_cast<double>(v % per) / static_cast<double>(per);
}

template <Convert C>
inline double fromInt64(int64_t v) {
  if constexpr (C == Convert::Unsigned) return static_cast<double>(static_cast<uint64_t>(v));
  if constexpr (C == Convert::Seconds) return static_cast<double>(v) * 1000;
  if constexpr (C == Convert::Micros) return splitMs(v, 1000);
  if constexpr (C == Convert::Nanos) return splitMs(v, 1000000);
  if constexpr (C == Convert::Days) return static_cast<double>(v) * kMsPerDay;
  return static_cast<double>(v);
}

template <Convert C>
inline double fromInt32(int32_t v) {
  if constexpr (C == Convert::Unsigned) return static_cast<double>(static_cast<uint32_t>(v));
  if constexpr (C == Convert::Days) return static_cast<double>(v) * kMsPerDay;
  return static_cast<double>(v);
}

inline double fromInt96(const uint8_t* p) {
  int64_t nanos;
  int32_t day;
  std::memcpy(&nanos, p, 8);
  std::memcpy(&day, p + 8, 4);
  const double whole = static_cast<double>((static_cast<int64_t>(day) - kUnixJulianDay) * 86400000 + nanos / 1000000);
  return whole + static_cast<double>(nanos % 1000000) / 1e6;
}

/// Calls f(std::integral_constant<Convert, c>) so that loops are compiled per conversion.
template <typename F>
void withConvert(Convert c, F&& f) {
  switch (c) {
    case Convert::Unsigned:
      return f(std::integral_constant<Convert, Convert::Unsigned>{});
    case Convert::Seconds:
      return f(std::integral_constant<Convert, Convert::Seconds>{});
    case Convert::Micros:
      return f(std::integral_constant<Convert, Convert::Micros>{});
    case Convert::Nanos:
      return f(std::integral_constant<Convert, Convert::Nanos>{});
    case Convert::Days:
      return f(std::integral_constant<Convert, Convert::Days>{});
    default:
      return f(std::integral_constant<Convert, Convert::None>{});
  }
}

void need(Section in, uint64_t bytes, const char* what, size_t n) {
  if (bytes > in.size) {
    corrupt(std::string(what) + ": " + std::to_string(n) + " values need " + std::to_string(bytes) + " bytes, the page has " +
            std::to_string(in.size));
  }
}

/// PLAIN values of a fixed-width physical type into float64.
void plainNumbers(Section in, const Column& column, size_t n, double* dst) {
  const uint8_t* p = in.data;
  switch (column.physical) {
    case kDouble:
      need(in, uint64_t{8} * n, "PLAIN DOUBLE", n);
      if (n) std::memcpy(dst, p, 8 * n);
      return;
    case kFloat:
      need(in, uint64_t{4} * n, "PLAIN FLOAT", n);
      for (size_t i = 0; i < n; i++) {
        float f;
        std::memcpy(&f, p + 4 * i, 4);
        dst[i] = f;
      }
      return;
    case kInt32:
      need(in, uint64_t{4} * n, "PLAIN INT32", n);
      withConvert(column.convert, [&](auto c) {
        for (size_t i = 0; i < n; i++) {
          int32_t v;
          std::memcpy(&v, p + 4 * i, 4);
          dst[i] = fromInt32<decltype(c)::value>(v);
        }
      });
      return;
    case kInt64:
      need(in, uint64_t{8} * n, "PLAIN INT64", n);
      withConvert(column.convert, [&](auto c) {
        for (size_t i = 0; i < n; i++) {
          int64_t v;
          std::memcpy(&v, p + 8 * i, 8);
          dst[i] = fromInt64<decltype(c)::value>(v);
        }
      });
      return;
    case kInt96:
      need(in, uint64_t{12} * n, "PLAIN INT96", n);
      for (size_t i = 0; i < n; i++) dst[i] = fromInt96(p + 12 * i);
      return;
    case kBoolean:
      need(in, (uint64_t{n} + 7) / 8, "PLAIN BOOLEAN", n);
      for (size_t i = 0; i < n; i++) dst[i] = (p[i >> 3] >> (i & 7)) & 1;
      return;
    default:
      unsupported("PLAIN values of physical type " + std::to_string(column.physical));
  }
}

/// DELTA_BINARY_PACKED: blocks of miniblocks of bit-packed deltas from a minimum delta. Calls
/// put(i, value) for the first `n` values (as uint64: INT32 columns keep the low 32 bits); returns the
/// bytes the stream took (through its last miniblock: DELTA_LENGTH_BYTE_ARRAY's bytes follow it).
template <typename Put>
size_t deltaValues(Section in, size_t n, Put&& put) {
  Thrift t(in.data, in.data + in.size, "a DELTA_BINARY_PACKED stream");
  const uint64_t blockSize = t.varint(), miniblocks = t.varint(), total = t.varint();
  const int64_t first = t.zigzag();
  if (blockSize == 0 || blockSize % 128 != 0 || blockSize > (1u << 20) || miniblocks == 0 || blockSize % miniblocks != 0 ||
      (blockSize / miniblocks) % 32 != 0) {
    corrupt(t.what() + ": a block of " + std::to_string(blockSize) + " values in " + std::to_string(miniblocks) + " miniblocks");
  }
  if (total < n) corrupt(t.what() + ": " + std::to_string(total) + " values where the page has " + std::to_string(n));
  const size_t perMini = static_cast<size_t>(blockSize / miniblocks);
  const uint8_t* const end = in.data + in.size;
  const uint8_t* base = in.data;  // where `t` started reading
  if (n == 0) return t.consumed();
  uint64_t last = static_cast<uint64_t>(first);
  put(size_t{0}, last);
  size_t i = 1;
  while (i < n) {
    const uint64_t minDelta = static_cast<uint64_t>(t.zigzag());
    const uint8_t* widths = base + t.consumed();
    if (static_cast<uint64_t>(end - widths) < miniblocks) corrupt(t.what() + ": miniblock widths past its end");
    const uint8_t* p = widths + miniblocks;
    for (uint64_t m = 0; m < miniblocks && i < n; m++) {
      const int w = widths[m];
      if (w > 64) corrupt(t.what() + ": a miniblock of " + std::to_string(w) + " bits");
      const size_t take = perMini < n - i ? perMini : n - i;
      const size_t bytes = perMini * static_cast<size_t>(w) / 8, avail = static_cast<size_t>(end - p);
      if ((take * static_cast<size_t>(w) + 7) / 8 > avail) corrupt(t.what() + ": a miniblock past its end");
      const size_t have = bytes < avail ? bytes : avail;
      const uint64_t mask = w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
      for (size_t k = 0; k < take; k++) {
        uint64_t d = 0;
        if (w > 0) {
          const size_t bit = k * static_cast<size_t>(w), byte = bit >> 3;
          const int shift = static_cast<int>(bit & 7);
          d = loadLE(p + byte, have - byte) >> shift;
          if (shift + w > 64) d |= static_cast<uint64_t>(p[byte + 8]) << (64 - shift);
          d &= mask;
        }
        last += minDelta + d;
        put(i + k, last);
      }
      i += take;
      p += have;
    }
    // the next block starts after this one's last miniblock
    t = Thrift(p, end, t.what());
    base = p;
  }
  return static_cast<size_t>(base - in.data);
}

/// DELTA_BINARY_PACKED numbers (INT32, INT64) into float64.
void deltaBinaryPacked(Section in, const Column& column, size_t n, double* dst) {
  const bool is32 = column.physical == kInt32;
  withConvert(column.convert, [&](auto c) {
    constexpr Convert C = decltype(c)::value;
    deltaValues(in, n, [&](size_t i, uint64_t v) {
      dst[i] = is32 ? fromInt32<C>(static_cast<int32_t>(static_cast<uint32_t>(v))) : fromInt64<C>(static_cast<int64_t>(v));
    });
  });
}

/// DELTA_LENGTH_BYTE_ARRAY: the lengths (DELTA_BINARY_PACKED), then the values' bytes one after another;
/// calls put(i, string_view). Returns the bytes taken.
template <typename Put>
size_t deltaLengthStrings(Section in, size_t n, std::vector<int64_t>& lengths, Put&& put) {
  lengths.resize(n);
  const size_t head = deltaValues(in, n, [&](size_t i, uint64_t v) { lengths[i] = static_cast<int32_t>(static_cast<uint32_t>(v)); });
  const uint8_t* p = in.data + head;
  size_t left = in.size - head;
  for (size_t i = 0; i < n; i++) {
    const int64_t len = lengths[i];
    if (len < 0 || static_cast<uint64_t>(len) > left)
      corrupt("DELTA_LENGTH_BYTE_ARRAY: value " + std::to_string(i) + " runs past its page");
    put(i, std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(len)));
    p += len;
    left -= static_cast<size_t>(len);
  }
  return in.size - left;
}

/// BYTE_STREAM_SPLIT (FLOAT, DOUBLE, INT32, INT64): byte k of every value, then byte k + 1...
void byteStreamSplit(Section in, const Column& column, size_t n, double* dst) {
  const size_t width = column.physical == kFloat || column.physical == kInt32 ? 4 : column.physical == kInt96 ? 0 : 8;
  if (width == 0 || column.physical == kBoolean || column.physical == kByteArray) {
    unsupported("BYTE_STREAM_SPLIT of physical type " + std::to_string(column.physical));
  }
  need(in, uint64_t{width} * n, "BYTE_STREAM_SPLIT", n);
  const uint8_t* p = in.data;
  withConvert(column.convert, [&](auto c) {
    constexpr Convert C = decltype(c)::value;
    for (size_t i = 0; i < n; i++) {
      uint8_t b[8];
      for (size_t k = 0; k < width; k++) b[k] = p[k * n + i];
      if (column.physical == kDouble) {
        std::memcpy(&dst[i], b, 8);
      } else if (column.physical == kFloat) {
        float f;
        std::memcpy(&f, b, 4);
        dst[i] = f;
      } else if (column.physical == kInt32) {
        int32_t v;
        std::memcpy(&v, b, 4);
        dst[i] = fromInt32<C>(v);
      } else {
        int64_t v;
        std::memcpy(&v, b, 8);
        dst[i] = fromInt64<C>(v);
      }
    }
  });
}

/// The bit width byte and hybrid indices of a dictionary-encoded page: put(i, index) per value.
template <typename Put>
void dictionaryIndices(Section in, size_t n, size_t dictSize, const char* what, Put&& put) {
  if (n == 0) return;
  if (in.size < 1) corrupt(std::string(what) + ": no bit width");
  const int width = in.data[0];
  size_t i = 0;
  auto check = [&](uint32_t idx) {
    if (idx >= dictSize) {
      corrupt(std::string(what) + ": index " + std::to_string(idx) + " of a dictionary of " + std::to_string(dictSize));
    }
  };
  decodeHybrid(
      Section{in.data + 1, in.size - 1}, width, n, what,
      [&](uint32_t idx, size_t count) {
        check(idx);
        for (size_t k = 0; k < count; k++) put(i++, idx);
      },
      [&](const uint32_t* idx, size_t count) {
        uint32_t top = 0;
        for (size_t k = 0; k < count; k++) top = idx[k] > top ? idx[k] : top;
        check(top);
        for (size_t k = 0; k < count; k++) put(i + k, idx[k]);
        i += count;
      });
}

}  // namespace

int32_t TextDictionary::intern(std::string_view s) {
  auto it = index.find(s);
  if (it != index.end()) return it->second;
  const int32_t id = static_cast<int32_t>(values.size());
  values.emplace_back(s);
  index.emplace(std::string_view(values.back()), id);
  return id;
}

void numberDictionary(Section in, const Column& column, size_t n, std::vector<double>& dict) {
  // check the size before allocating: PLAIN values take at least a bit (booleans), else 4 bytes or more
  need(in, column.physical == kBoolean ? (uint64_t{n} + 7) / 8 : uint64_t{4} * n, "a dictionary page", n);
  dict.resize(n);
  plainNumbers(in, column, n, dict.data());
}

void textDictionary(Section in, size_t n, TextDictionary& text, std::vector<int32_t>& ids) {
  need(in, uint64_t{4} * n, "a dictionary page", n);
  ids.resize(n);
  const uint8_t* p = in.data;
  const uint8_t* const end = in.data + in.size;
  for (size_t i = 0; i < n; i++) {
    uint32_t len;
    if (end - p < 4) corrupt("a dictionary page ends at value " + std::to_string(i) + " of " + std::to_string(n));
    std::memcpy(&len, p, 4);
    p += 4;
    if (len > static_cast<size_t>(end - p)) corrupt("a dictionary page's value " + std::to_string(i) + " runs past its end");
    ids[i] = text.intern(std::string_view(reinterpret_cast<const char*>(p), len));
    p += len;
  }
}

void decodeNumbers(Section in, int encoding, const Column& column, size_t n, const std::vector<double>& dict, bool haveDict, double* dst) {
  switch (encoding) {
    case kPlain:
      return plainNumbers(in, column, n, dst);
    case kPlainDictionary:
    case kRleDictionary: {
      if (!haveDict) corrupt("a dictionary-encoded page without a dictionary page");
      const double* d = dict.data();
      return dictionaryIndices(in, n, dict.size(), "dictionary indices", [&](size_t i, uint32_t idx) { dst[i] = d[idx]; });
    }
    case kRle: {
      // booleans (v2 pages): a 4-byte length, then the hybrid of 1-bit values
      if (column.physical != kBoolean) unsupported("RLE values of a non-boolean column");
      if (in.size < 4) corrupt("RLE booleans: no length");
      uint32_t len;
      std::memcpy(&len, in.data, 4);
      if (len > in.size - 4) corrupt("RLE booleans: a length past the page's end");
      size_t i = 0;
      decodeHybrid(
          Section{in.data + 4, len}, 1, n, "RLE booleans",
          [&](uint32_t v, size_t count) {
            for (size_t k = 0; k < count; k++) dst[i++] = v;
          },
          [&](const uint32_t* v, size_t count) {
            for (size_t k = 0; k < count; k++) dst[i++] = v[k];
          });
      return;
    }
    case kDeltaBinaryPacked:
      if (column.physical != kInt32 && column.physical != kInt64) {
        corrupt("DELTA_BINARY_PACKED values of a column neither INT32 nor INT64");
      }
      return deltaBinaryPacked(in, column, n, dst);
    case kByteStreamSplit:
      return byteStreamSplit(in, column, n, dst);
    default:
      unsupported("encoding " + std::to_string(encoding));
  }
}

void decodeText(Section in, int encoding, size_t n, const std::vector<int32_t>& dictIds, bool haveDict, TextDictionary& text,
                int32_t* dst) {
  if (encoding == kPlainDictionary || encoding == kRleDictionary) {
    if (!haveDict) corrupt("a dictionary-encoded text page without a dictionary page");
    const int32_t* ids = dictIds.data();
    return dictionaryIndices(in, n, dictIds.size(), "dictionary indices", [&](size_t i, uint32_t idx) { dst[i] = ids[idx]; });
  }
  if (encoding == kDeltaLengthByteArray) {
    std::vector<int64_t> lengths;
    deltaLengthStrings(in, n, lengths, [&](size_t i, std::string_view v) { dst[i] = text.intern(v); });
    return;
  }
  if (encoding == kDeltaByteArray) {
    // prefix lengths (DELTA_BINARY_PACKED), then suffixes (DELTA_LENGTH_BYTE_ARRAY): value i is the first
    // prefix[i] bytes of value i - 1, then suffix i
    std::vector<int64_t> prefixes(n), lengths;
    const size_t head = deltaValues(in, n, [&](size_t i, uint64_t v) { prefixes[i] = static_cast<int32_t>(static_cast<uint32_t>(v)); });
    std::string value;
    deltaLengthStrings(Section{in.data + head, in.size - head}, n, lengths, [&](size_t i, std::string_view suffix) {
      const int64_t prefix = prefixes[i];
      if (prefix < 0 || static_cast<uint64_t>(prefix) > value.size()) {
        corrupt("DELTA_BYTE_ARRAY: value " + std::to_string(i) + " shares " + std::to_string(prefix) + " bytes of a value of " +
                std::to_string(value.size()));
      }
      value.resize(static_cast<size_t>(prefix));
      value.append(suffix);
      dst[i] = text.intern(value);
    });
    return;
  }
  if (encoding != kPlain) unsupported("text encoded as encoding " + std::to_string(encoding));
  const uint8_t* p = in.data;
  const uint8_t* const end = in.data + in.size;
  for (size_t i = 0; i < n; i++) {
    uint32_t len;
    if (end - p < 4) corrupt("PLAIN text ends at value " + std::to_string(i) + " of " + std::to_string(n));
    std::memcpy(&len, p, 4);
    p += 4;
    if (len > static_cast<size_t>(end - p)) corrupt("PLAIN text value " + std::to_string(i) + " runs past its page");
    dst[i] = text.intern(std::string_view(reinterpret_cast<const char*>(p), len));
    p += len;
  }
}

}  // namespace kernelbus::parquet
