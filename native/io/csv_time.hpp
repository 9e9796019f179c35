// Times of a CSV field (docs/io.md "Times"): a number in the column's unit, or ISO 8601, to epoch
// milliseconds as a double, with exactly the reference's arithmetic:
// - unit s: value * 1000; ms: the value; us / ns (k = 3 / 6): an integer field of more than k digits
//   is split into its high digits H and its last k digits L and read as +-(H + L / 10^k); any other
//   number is value / 10^k;
// - ISO 8601: W + S, W the whole milliseconds (date, time, offset and the first three fraction digits:
//   an exact integer), S the further fraction digits d (at most 6) as d / 10^n.
#pragma once

#include <cstddef>
#include <cstdint>

#include "csv.hpp"
#include "csv_number.hpp"

namespace kernelbus::csv {

constexpr double kPow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/// Days from 1970-01-01 to the proleptic Gregorian date (H. Hinnant's days_from_civil).
inline int64_t daysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

inline int daysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

/// `n` digits at p (p + n <= e) as an integer into v; false when one is not a digit.
inline bool digitsAt(const uint8_t* p, const uint8_t* e, int n, int& v) {
  if (e - p < n) return false;
  v = 0;
  for (int i = 0; i < n; i++) {
    if (!isDigit(p[i])) return false;
    v = v * 10 + (p[i] - '0');
  }
  return true;
}

/// ISO 8601 as docs/io.md accepts it: YYYY-MM-DD, optionally [Tt ] HH:MM[:SS[(.|,)f+]], then optionally
/// Z, z, +-HH, +-HHMM or +-HH:MM (an offset only after a time). False when [b, e) is not one.
inline bool parseIso(const uint8_t* b, const uint8_t* e, double& out) {
  int y, mo, d;
  if (!digitsAt(b, e, 4, y) || e - b < 10 || b[4] != '-' || !digitsAt(b + 5, e, 2, mo) || b[7] != '-' || !digitsAt(b + 8, e, 2, d))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return false;
  int64_t whole = daysFromCivil(y, mo, d) * 86400000;
  int64_t further = 0;
  int furtherDigits = 0;
  const uint8_t* p = b + 10;
  if (p < e) {
    if (*p != 'T' && *p != 't' && *p != ' ') return false;
    p++;
    int h, mi, s = 0, ms = 0;
    if (!digitsAt(p, e, 2, h) || e - p < 5 || p[2] != ':' || !digitsAt(p + 3, e, 2, mi) || h > 23 || mi > 59) return false;
    p += 5;
    if (p < e && *p == ':') {
      if (!digitsAt(p + 1, e, 2, s) || s > 59) return false;
      p += 3;
      if (p < e && (*p == '.' || *p == ',')) {
        p++;
        const uint8_t* f = p;
        while (p < e && isDigit(*p)) p++;
        if (p == f) return false;
        const ptrdiff_t n = p - f;
        for (ptrdiff_t i = 0; i < 3; i++) ms = ms * 10 + (i < n ? f[i] - '0' : 0);
        for (ptrdiff_t i = 3; i < n && i < 9; i++, furtherDigits++) further = further * 10 + (f[i] - '0');
      }
    }
    whole += int64_t{h} * 3600000 + int64_t{mi} * 60000 + int64_t{s} * 1000 + ms;
    if (p < e) {
      if (*p == 'Z' || *p == 'z') {
        p++;
      } else if (*p == '+' || *p == '-') {
        const int64_t sign = *p == '-' ? -1 : 1;
        int oh, om = 0;
        if (!digitsAt(p + 1, e, 2, oh) || oh > 23) return false;
        p += 3;
        if (p < e) {
          if (*p == ':') p++;
          if (!digitsAt(p, e, 2, om) || om > 59) return false;
          p += 2;
        }
        whole -= sign * (int64_t{oh} * 3600000 + int64_t{om} * 60000);
      } else {
        return false;
      }
    }
  }
  if (p != e) return false;
  out = static_cast<double>(whole);
  if (furtherDigits > 0) out += static_cast<double>(further) / kPow10[furtherDigits];
  return true;
}

/// A time column's field (not missing) as epoch ms by its kind (TimeS..TimeNs); false: not a time.
inline bool parseTime(const uint8_t* b, const uint8_t* e, Kind kind, double& out) {
  double v;
  if (parseNumber(b, e, v)) {
    switch (kind) {
      case Kind::TimeS:
        out = v * 1000;
        return true;
      case Kind::TimeMs:
        out = v;
        return true;
      default: {
        const int k = kind == Kind::TimeUs ? 3 : 6;
        if (isIntegerText(b, e)) {
          const bool negative = *b == '-';
          const uint8_t* digits = b + (*b == '+' || *b == '-');
          if (e - digits > k) {
            double high;
            parseDecimalPrefix(digits, e - k, high);
            int low = 0;
            for (const uint8_t* q = e - k; q < e; q++) low = low * 10 + (*q - '0');
            const double r = high + static_cast<double>(low) / kPow10[k];
            out = negative ? -r : r;
            return true;
          }
        }
        out = v / kPow10[k];
        return true;
      }
    }
  }
  return parseIso(b, e, out);
}

}  // namespace kernelbus::csv
