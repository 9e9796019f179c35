// Numbers of a CSV field (docs/io.md "Numbers" and "Missing values"): the grammar
// [+-]?(digits(.digits?)?|.digits)([eE][+-]?digits)? or [+-]?inf / [+-]?infinity (any case), read to
// the double nearest the decimal (fast_float: correctly rounded, so bit for bit JS Number() of the same
// text). fast_float takes no leading '+' and no inf here (no_infnan): both are handled before it.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <system_error>

#include "fast_float/fast_float.h"

namespace kernelbus::csv {

inline bool isDigit(uint8_t c) { return static_cast<uint8_t>(c - '0') < 10; }
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
