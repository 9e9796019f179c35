// See realized_sums.hpp: a chunk's returns a block at a time (logReturns: fdlibm's log, vectorized),
// its trades checked a block at a time just before (the prices then read from cache), each block's
// terms added four lanes at a time.
#include "realized_sums.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "lanes.hpp"
#include "log_returns.hpp"
#include "simd.hpp"

// The lane helpers below take and return four lanes by value: always inlined into simd::run's
// copies, so GCC's note that such a call's ABI differs without AVX concerns no call.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace kernelbus::features {

namespace {

constexpr size_t kBlock = 1024;  // returns a block (a multiple of 4)
constexpr size_t kLook = 2;      // returns before a term's own that it reads (the median's two)

/// Whether trades [from, to) have ts not before the one before them and prices finite and > 0 (NaN
/// fails every comparison): days()'s checks under a whole-day session, given the first and last
/// ts + offset finite.
KERNELBUS_VECTOR_BODY bool sortedAndPriced(Doubles ts, Doubles price, size_t from, size_t to) {
  bool ok = true;
  if (from == 0 && to > 0) ok = price[0] > 0 && price[0] <= DBL_MAX;
  size_t i = std::max<size_t>(from, 1);
#if defined(__GNUC__)
  L4 all = {-1, -1, -1, -1};
  for (; i + 4 <= to; i += 4) {
    D4 t, before, p;
    load4(ts + i, t);
    load4(ts + (i - 1), before);
    load4(price + i, p);
    all &= (t >= before) & (p > 0) & (p <= DBL_MAX);
  }
  ok &= (all[0] & all[1] & all[2] & all[3]) != 0;
#endif
  for (; i < to; i++) ok &= (ts[i] >= ts[i - 1]) & (price[i] > 0) & (price[i] <= DBL_MAX);
  return ok;
}

// |x|, min and max as std::fabs, std::min and std::max, on a double or on four lanes
template <typename T>
KERNELBUS_VECTOR_BODY T absOf(T x) {
#if defined(__GNUC__)
  if constexpr (sizeof(T) == sizeof(D4)) {
    U4 bits;
    std::memcpy(&bits, &x, sizeof bits);
    bits &= 0x7fffffffffffffff;
    std::memcpy(&x, &bits, sizeof x);
    return x;
  } else
#endif
  {
    return std::fabs(x);
  }
}
template <typename T>
KERNELBUS_VECTOR_BODY T minOf(T a, T b) {
  return b < a ? b : a;
}
template <typename T>
KERNELBUS_VECTOR_BODY T maxOf(T a, T b) {
  return a < b ? b : a;
}

/// Each term's add to its sums s, from the returns r2 = r_{i-2}, r1 = r_{i-1}, r = r_i (doubles or lanes).
template <Term K>
struct Terms;
template <>
struct Terms<Term::squares> {
  static constexpr size_t kSums = 1;
  template <typename T>
  KERNELBUS_VECTOR_BODY static void add(T, T, T r, T* s) {
    s[0] += r * r;
  }
};
template <>
struct Terms<Term::semivariances> {
  static constexpr size_t kSums = 2;
  template <typename T>
  KERNELBUS_VECTOR_BODY static void add(T, T, T r, T* s) {
    const T r2 = r * r, zero{};
    s[0] += r > 0 ? r2 : zero;  // +0 added: the same sum (no sum is -0)
    s[1] += r < 0 ? r2 : zero;
  }
};
template <>
struct Terms<Term::bipower> {
  static constexpr size_t kSums = 1;
  template <typename T>
  KERNELBUS_VECTOR_BODY static void add(T, T r1, T r, T* s) {
    s[0] += absOf(r1) * absOf(r);
  }
};
template <>
struct Terms<Term::median> {
  static constexpr size_t kSums = 1;
  template <typename T>
  KERNELBUS_VECTOR_BODY static void add(T r2, T r1, T r, T* s) {
    const T a = absOf(r2), b = absOf(r1), c = absOf(r);
    const T m = maxOf(minOf(a, b), minOf(maxOf(a, b), c));
    s[0] += m * m;
  }
};
template <>
struct Terms<Term::min> {
  static constexpr size_t kSums = 1;
  template <typename T>
  KERNELBUS_VECTOR_BODY static void add(T, T r1, T r, T* s) {
    const T m = minOf(absOf(r1), absOf(r));
    s[0] += m * m;
  }
};

/// The term at the return r[0] (r[-2], r[-1] before it), one value or four lanes (T).
template <Term K, typename T>
KERNELBUS_VECTOR_BODY void addAt(const double* r, T* s) {
  T r2, r1, r0;
  std::memcpy(&r2, r - 2, sizeof r2);
  std::memcpy(&r1, r - 1, sizeof r1);
  std::memcpy(&r0, r, sizeof r0);
  Terms<K>::add(r2, r1, r0, s);
}

/// chunkSums' loop: sums[k] the chunk's sum k; false where `check` and a check fails.
template <Term K>
KERNELBUS_VECTOR_BODY bool chunkBody(Doubles ts, Doubles price, size_t start, size_t from, size_t to, size_t lag, bool check, bool vector,
                                     double* sums) {
  constexpr size_t S = Terms<K>::kSums;
  double lanes[S][4] = {};
  double buf[kLook + kBlock];
  double* const r = buf + kLook;  // r[j]: the return at price `at` + j; before it the kLook before that
  for (size_t k = 0; k < kLook; k++) {
    const size_t i = from + k - kLook;  // wraps below 0: then from + k < kLook and the return is 0
    buf[k] = from + k >= start + lag + kLook ? fdlibmLog(price[i] / price[i - lag]) : 0;
  }
  bool ok = true;
  for (size_t at = from; at < to; at += kBlock) {
    const size_t len = std::min(kBlock, to - at);
    const size_t first = std::clamp(start + lag, at, at + len);  // the day's first return's price, or past it
    std::fill(r, r + (first - at), 0.0);
    if (check) {
      ok &= sortedAndPriced(ts, price, at, first);
      ok &= logReturnsChecked(price, ts, first, at + len, lag, r + (first - at));
    } else {
      logReturns(price, first, at + len, lag, r + (first - at));
    }
    size_t j = 0;
#if defined(__GNUC__)
    if (vector) {
      D4 acc[S];
      std::memcpy(acc, lanes, sizeof acc);
      for (; j + 4 <= len; j += 4) addAt<K>(r + j, acc);
      std::memcpy(lanes, acc, sizeof acc);
    }
#endif
    // one at a time, each in lane j mod 4 (a block starts a multiple of 4 past `from`)
    for (; j < len; j++) {
      double s[S];
      for (size_t k = 0; k < S; k++) s[k] = lanes[k][j % 4];
      addAt<K>(r + j, s);
      for (size_t k = 0; k < S; k++) lanes[k][j % 4] = s[k];
    }
    std::memmove(buf, r + len - kLook, kLook * sizeof(double));
  }
  for (size_t k = 0; k < S; k++) sums[k] = (lanes[k][0] + lanes[k][1]) + (lanes[k][2] + lanes[k][3]);
  return ok;
}

template <Term K>
bool run(Chunk& c, size_t lag, double* sums) {
  const bool vector = simd::level() != simd::Level::baseline;
  return simd::run<chunkBody<K>>(c.ts, c.price, c.start, c.from, c.to, lag, c.check, vector, sums);
}

}  // namespace

void chunkSums(Term term, Chunk& c, size_t lag, double* sums) {
  switch (term) {
    case Term::squares:
      c.ok &= run<Term::squares>(c, lag, sums);
      break;
    case Term::semivariances:
      c.ok &= run<Term::semivariances>(c, lag, sums);
      break;
    case Term::bipower:
      c.ok &= run<Term::bipower>(c, lag, sums);
      break;
    case Term::median:
      c.ok &= run<Term::median>(c, lag, sums);
      break;
    case Term::min:
      c.ok &= run<Term::min>(c, lag, sums);
      break;
  }
}

void checkChunk(Chunk& c) { c.ok &= simd::run<sortedAndPriced>(c.ts, c.price, c.from, c.to); }

}  // namespace kernelbus::features
