// Text values of a CSV block: UTF-8 read as TextDecoder reads it (each maximal invalid subpart becomes
// U+FFFD, WHATWG Encoding "UTF-8 decode"), and a dictionary of the values in first-appearance order,
// keyed by the decoded text (so two invalid byte sequences that both read as U+FFFD are one value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace kernelbus::csv {

/// True when [b, e) is all ASCII (the common case: no decoding to do).
inline bool isAscii(const uint8_t* b, const uint8_t* e) {
  uint8_t any = 0;
  for (; b < e; b++) any |= *b;
  return any < 0x80;
}

/// Appends [b, e) to `out` as valid UTF-8: the WHATWG decoder's reading, each error U+FFFD (EF BF BD).
/// Returns false when [b, e) had an invalid sequence (true: `out` got the bytes unchanged).
inline bool appendUtf8(const uint8_t* b, const uint8_t* e, std::string& out) {
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";
  bool valid = true;
  const uint8_t* p = b;
  while (p < e) {
    const uint8_t c = *p;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      p++;
      continue;
    }
    int needed;
    uint8_t lower = 0x80, upper = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      needed = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      needed = 2;
      if (c == 0xE0) lower = 0xA0;
      if (c == 0xED) upper = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      needed = 3;
      if (c == 0xF0) lower = 0x90;
      if (c == 0xF4) upper = 0x8F;
    } else {
      out.append(kReplacement, 3);
      valid = false;
      p++;
      continue;
    }
    // the continuation bytes: the first within [lower, upper], the rest within [0x80, 0xBF]
    const uint8_t* q = p + 1;
    int seen = 0;
    while (seen < needed && q < e && *q >= lower && *q <= upper) {
      lower = 0x80, upper = 0xBF;
      q++, seen++;
    }
    if (seen == needed) {
      out.append(reinterpret_cast<const char*>(p), static_cast<size_t>(q - p));
    } else {
      // a truncated or broken sequence: one U+FFFD for the bytes read; the offending byte is read again
      out.append(kReplacement, 3);
      valid = false;
    }
    p = q;
  }
  return valid;
}

/// A column's values in order of first appearance, each an index (its code). Open addressing over
/// the values' bytes, kept in one arena.
class Dictionary {
 public:
  size_t size() const { return starts_.size() - 1; }
  /// The value of `code` (valid UTF-8 when interned through internText()).
  std::string value(size_t code) const { return std::string(arena_.data() + starts_[code], starts_[code + 1] - starts_[code]); }
  const char* data(size_t code) const { return arena_.data() + starts_[code]; }
  size_t length(size_t code) const { return starts_[code + 1] - starts_[code]; }

  /// The code of bytes [p, p + n) (added when new).
  int32_t intern(const char* p, size_t n) {
    if (slots_.empty()) rehash(64);
    const uint64_t h = hash(p, n);
    size_t i = static_cast<size_t>(h) & (slots_.size() - 1);
    for (;; i = (i + 1) & (slots_.size() - 1)) {
      const int32_t code = slots_[i];
      if (code < 0) break;
      if (hashes_[code] == h && length(code) == n && same(data(code), p, n)) return code;
    }
    const int32_t code = static_cast<int32_t>(size());
    arena_.insert(arena_.end(), p, p + n);
    starts_.push_back(arena_.size());
    hashes_.push_back(h);
    slots_[i] = code;
    if (2 * size() > slots_.size()) rehash(2 * slots_.size());
    return code;
  }

  /// The code of a field's text bytes, read as UTF-8 (invalid sequences as U+FFFD); `scratch` is reused.
  int32_t internText(const uint8_t* b, const uint8_t* e, std::string& scratch) {
    if (isAscii(b, e)) return intern(reinterpret_cast<const char*>(b), static_cast<size_t>(e - b));
    scratch.clear();
    appendUtf8(b, e, scratch);
    return intern(scratch.data(), scratch.size());
  }

 private:
  /// [a, a + n) == [b, b + n): short values byte by byte (a memcmp call cost more than the compare).
  static bool same(const char* a, const char* b, size_t n) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    for (size_t k = 0; k < n; k++) {
      if (a[k] != b[k]) return false;
    }
    return true;
  }

  static uint64_t hash(const char* p, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
      h ^= h >> 32;
    }
    uint64_t tail = 0;  // the last n - i < 8 bytes, a byte at a time (a memcpy of a variable length is a call)
    for (size_t k = i; k < n; k++) tail |= static_cast<uint64_t>(static_cast<uint8_t>(p[k])) << (8 * (k - i));
    h = (h ^ tail) * 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 29);
  }

  void rehash(size_t slots) {
    slots_.assign(slots, -1);
    for (size_t code = 0; code < size(); code++) {
      size_t i = static_cast<size_t>(hashes_[code]) & (slots - 1);
      while (slots_[i] >= 0) i = (i + 1) & (slots - 1);
      slots_[i] = static_cast<int32_t>(code);
    }
  }

  std::vector<char> arena_;
  std::vector<size_t> starts_{0};
  std::vector<uint64_t> hashes_;
  std::vector<int32_t> slots_;
};

}  // namespace kernelbus::csv
