// Numbers of a CSV field (docs/io.md "Numbers" and "Missing values"): the grammar
// [+-]?(digits(.digits?)?|.digits)([eE][+-]?digits)? or [+-]?inf / [+-]?infinity (any case), read to
// the double nearest the decimal (fast_float: correctly rounded, so bit for bit JS Number() of the same
// text). fast_float takes no leading '+' and no inf here (no_infnan): both are handled before it.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "fast_float/fast_float.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "the CSV reader reads eight digits at a time as a little-endian word: a big-endian host needs a byte swap"
#endif

namespace kernelbus::csv {

inline bool isDigit(uint8_t c) { return static_cast<uint8_t>(c - '0') < 10; }

/// The eight bytes at s as a word, the first byte the lowest.
inline uint64_t load8(const uint8_t* s) {
  uint64_t x;
  std::memcpy(&x, s, sizeof x);
  return x;
}

/// Each byte of x (load8) is an ASCII digit: its high nibble 3, and adding 6 leaves it there.
inline bool eightDigits(uint64_t x) {
  return ((x & 0xF0F0F0F0F0F0F0F0ULL) | (((x + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) == 0x3333333333333333ULL;
}

/// The value of eight ASCII digits (load8, eightDigits), the first the most significant: pairs, then
/// fours, then the eight combined by multiplies in the word's halves.
inline uint64_t eightDigitsValue(uint64_t x) {
  constexpr uint64_t kMask = 0x000000FF000000FFULL;
  constexpr uint64_t kMul1 = 100 + (uint64_t{1000000} << 32);
  constexpr uint64_t kMul2 = 1 + (uint64_t{10000} << 32);
  x -= 0x3030303030303030ULL;
  x = x * 10 + (x >> 8);
  return (((x & kMask) * kMul1) + (((x >> 16) & kMask) * kMul2)) >> 32;
}

/// The digits from b (at most `most` of them, before e) into v, eight at a time where eight are there;
/// returns where they end.
inline const uint8_t* readDigits(const uint8_t* b, const uint8_t* e, size_t most, uint64_t& v) {
  const uint8_t* const start = b;
  while (e - b >= 8 && static_cast<size_t>(b - start) + 8 <= most && eightDigits(load8(b))) {
    v = v * 100000000 + eightDigitsValue(load8(b));
    b += 8;
  }
  while (b < e && static_cast<size_t>(b - start) < most && isDigit(*b)) v = v * 10 + (*b++ - '0');
  return b;
}

/// 10^f for the fraction lengths parseShortDecimal takes (f <= 15): exact doubles.
constexpr double kExactPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/// A decimal `digits[.digits]` from b (a digit there) of at most 15 digits in all and no exponent: m / 10^f
/// of its digits m (below 2^53, exact) and its fraction's length f, one correctly rounded division of two
/// exact doubles (Clinger's fast path, fast_float's own for such text: the same bits). Where it ends, or
/// nullptr for text it leaves to parseDecimalPrefix (more digits, an exponent).
inline const uint8_t* parseShortDecimal(const uint8_t* b, const uint8_t* e, double& value) {
  uint64_t m = 0;
  const uint8_t* q = readDigits(b, e, 16, m);
  size_t digits = static_cast<size_t>(q - b);
  size_t f = 0;
  if (q < e && *q == '.') {
    const uint8_t* t = readDigits(q + 1, e, 16, m);
    f = static_cast<size_t>(t - (q + 1));
    digits += f;
    q = t;
  }
  if (digits > 15 || (q < e && (*q == 'e' || *q == 'E' || isDigit(*q)))) return nullptr;
  value = static_cast<double>(m) / kExactPow10[f];
  return q;
}
inline uint8_t asciiLower(uint8_t c) { return c >= 'A' && c <= 'Z' ? static_cast<uint8_t>(c | 0x20) : c; }

/// [b, e) equals the lower-case ASCII `word` ignoring ASCII case.
inline bool equalsIgnoringCase(const uint8_t* b, const uint8_t* e, const char* word) {
  for (; b < e; b++, word++) {
    if (*word == 0 || asciiLower(*b) != static_cast<uint8_t>(*word)) return false;
  }
  return *word == 0;
}

/// A missing-value token of a number or time column: NA, N/A, NaN, null or None, ignoring ASCII case
/// (the empty unquoted field is the caller's business: a quoted "" is not missing).
inline bool isMissingToken(const uint8_t* b, const uint8_t* e) {
  switch (e - b) {
    case 2:
      return equalsIgnoringCase(b, e, "na");
    case 3:
      return equalsIgnoringCase(b, e, "n/a") || equalsIgnoringCase(b, e, "nan");
    case 4:
      return equalsIgnoringCase(b, e, "null") || equalsIgnoringCase(b, e, "none");
    default:
      return false;
  }
}

/// fast_float's options here: the decimal grammar (fixed or scientific), no inf/nan.
constexpr fast_float::parse_options kDecimalOptions{fast_float::chars_format::general | fast_float::chars_format::no_infnan};

/// A decimal number without sign from `b` (a digit, '.' or '-' there): where fast_float stopped, or
/// nullptr when no number starts there. The value is correctly rounded (overflow: +-inf, underflow: 0).
inline const uint8_t* parseDecimalPrefix(const uint8_t* b, const uint8_t* e, double& value) {
  const auto r =
      fast_float::from_chars_advanced(reinterpret_cast<const char*>(b), reinterpret_cast<const char*>(e), value, kDecimalOptions);
  if (r.ec == std::errc::invalid_argument) return nullptr;
  return reinterpret_cast<const uint8_t*>(r.ptr);
}

/// [b, e) by the number grammar into `value`; false when it is not a number.
inline bool parseNumber(const uint8_t* b, const uint8_t* e, double& value) {
  bool negative = false;
  if (b < e && (*b == '+' || *b == '-')) negative = *b++ == '-';
  if (b == e) return false;
  if (*b == 'i' || *b == 'I') {
    if (!equalsIgnoringCase(b, e, "inf") && !equalsIgnoringCase(b, e, "infinity")) return false;
    value = negative ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (!isDigit(*b) && *b != '.') return false;
  double v;
  if (parseDecimalPrefix(b, e, v) != e) return false;
  value = negative ? -v : v;
  return true;
}

/// [b, e) is `[+-]?digits`: the integer form that time units us and ns split (docs/io.md "Times").
inline bool isIntegerText(const uint8_t* b, const uint8_t* e) {
  if (b < e && (*b == '+' || *b == '-')) b++;
  if (b == e) return false;
  for (; b < e; b++) {
    if (!isDigit(*b)) return false;
  }
  return true;
}

}  // namespace kernelbus::csv
