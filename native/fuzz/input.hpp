// Shared input decoding of the fuzz targets: fuzzer bytes -> kernel parameters and double columns.
//
// The input contract (docs/fuzzing.md): parameters are always ones the TS layer accepts
// (src/kernels/vpin/vpin.ts resolveVpinOptions / resolveClassify), because the binding rejects the others
// before any kernel runs; data columns are arbitrary, since the kernels must report bad data through
// Status. Columns are mostly plausible (sorted timestamps, a price walk, volumes >= 0) so that inputs
// get past the first check, with NaN, +-Inf, -0, subnormal and huge values mixed in.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "vpin/vpin.hpp"

namespace kernelbus::fuzz {

/// Values that break numeric code.
inline constexpr double kSpecial[] = {
    NAN,
    -NAN,
    INFINITY,
    -INFINITY,
    0.0,
    -0.0,
    DBL_TRUE_MIN,
    -DBL_TRUE_MIN,
    DBL_MIN / 2,
    DBL_MIN,
    -DBL_MIN,
    DBL_MAX,
    -DBL_MAX,
    1e300,
    -1e300,
    1e-300,
    1,
    -1,
    0.5,
    1 - DBL_EPSILON / 2,
    1 + DBL_EPSILON,
    1.5,
    -1.5,
    2,
    8,
    -8,
    38,
    -38,
    1e15,
    9007199254740992.0,
    1.7e12,
    60000,
    1e6,
    1e7,
};
inline constexpr double kSpecialPositive[] = {
    DBL_TRUE_MIN, DBL_MIN / 2, DBL_MIN, 1e-300, 1e-9, 0.5, 1 - DBL_EPSILON / 2, 1, 1 + DBL_EPSILON, 2, 1000, 60000, 1e15, 1e300, DBL_MAX,
};

/// A NaN that no input holds (anyDouble() never returns it) and no kernel computes: calls.hpp fills
/// output columns with it to find rows a kernel failed to write.
inline constexpr uint64_t kUnwrittenBits = 0x7ff4'6b62'7573'2121ULL;  // a signalling NaN, "kbus!!"

/// Trade columns (ts, price, volume) of equal length, each allocated at exactly its length.
struct Trades {
  std::vector<double> ts, price, volume;
  size_t size() const { return ts.size(); }
  /// Trades [at, at + n) in arrays of their own (a kernel reading past a batch is an ASan report).
  Trades slice(size_t at, size_t n) const {
    auto part = [&](const std::vector<double>& v) { return std::vector<double>(v.begin() + at, v.begin() + at + n); };
    return Trades{part(ts), part(price), part(volume)};
  }
};

class Input {
 public:
  Input(const uint8_t* data, size_t size) : fdp_(data, size) {}

  size_t remaining() { return fdp_.remaining_bytes(); }
  bool flag() { return fdp_.ConsumeBool(); }
  uint8_t byte() { return fdp_.ConsumeIntegral<uint8_t>(); }
  /// An integer in [lo, hi].
  template <typename T>
  T in(T lo, T hi) {
    return fdp_.ConsumeIntegralInRange<T>(lo, hi);
  }
  /// A double in [lo, hi].
  double real(double lo, double hi) { return fdp_.ConsumeFloatingPointInRange<double>(lo, hi); }
  /// A count in [0, max], no more than the bytes left can describe (`bytesEach` per element).
  size_t count(size_t max, size_t bytesEach = 1) { return in<size_t>(0, std::min(max, remaining() / std::max<size_t>(bytesEach, 1))); }

  /// Any double: special values, raw bit patterns (NaN payloads, subnormals), integers, decimals.
  double anyDouble() {
    const uint8_t k = byte();
    if (k < 64) return fdp_.PickValueInArray(kSpecial);
    if (k < 128) {
      uint64_t bits = fdp_.ConsumeIntegral<uint64_t>();
      if (bits == kUnwrittenBits) bits ^= 1;
      double x;
      std::memcpy(&x, &bits, sizeof x);
      return x;
    }
    if (k < 192) return static_cast<double>(in<int32_t>(-1000, 1000));
    return fdp_.ConsumeFloatingPoint<double>();
  }

  /// A finite double > 0 anywhere in [DBL_TRUE_MIN, DBL_MAX] (bucketVolume, barMs, fixed sigma, nu).
  double positiveFinite() {
    const uint8_t k = byte();
    double x;
    if (k < 48)
      x = fdp_.PickValueInArray(kSpecialPositive);
    else if (k < 192)
      x = std::pow(10.0, real(-6, 9));
    else
      x = std::ldexp(real(1, 2), in<int>(-1074, 1023));
    return x > 0 && x <= DBL_MAX ? x : 1;
  }

  /// Classification parameters as resolveClassify() accepts them; `causal` excludes the sample sigma.
  void classifyParams(vpin::Params& p, bool causal) {
    p.priceChange = in(0, 1);
    p.sigmaKind = in(causal ? 1 : 0, 3);
    if (p.sigmaKind == vpin::kSigmaFixed) p.sigmaParam = positiveFinite();
    if (p.sigmaKind == vpin::kSigmaRolling) p.sigmaParam = flag() ? in(2, 20) : in(2, 1000000);
    if (p.sigmaKind == vpin::kSigmaEwma) p.sigmaParam = flag() ? std::nextafter(1.0, 0.0) : real(0, 0.999);
    p.distribution = in(0, 1);
    if (p.distribution == 1) p.nu = flag() ? real(1, 30) : positiveFinite();
  }

  /// VPIN parameters as resolveVpinOptions() accepts them (`stream`: a causal sigma for bvc).
  vpin::Params vpinParams(bool stream) {
    vpin::Params p;
    p.bucketVolume = positiveFinite();
    p.window = flag() ? in<int64_t>(1, 60) : in<int64_t>(1, 1000000);
    p.barMs = flag() ? 60000 : positiveFinite();
    p.classifier = in(0, 1);
    classifyParams(p, stream && p.classifier == 0);
    return p;
  }

  /// A column of n values around plausible ones, some replaced by anyDouble().
  std::vector<double> column(size_t n) {
    std::vector<double> out(n);
    double x = flag() ? 100 : anyDouble();
    for (double& v : out) {
      const uint8_t k = byte();
      x = k < 160 ? x + in(-3, 3) : k < 240 ? x * real(0.5, 2) : anyDouble();
      v = x;
    }
    return out;
  }

  /// Up to maxN trades: non-decreasing timestamps (steps inside a bar, to a bar boundary, across bars),
  /// a price walk and volumes >= 0, each occasionally replaced by an arbitrary value.
  Trades trades(double barMs, size_t maxN) {
    Trades t;
    const size_t n = count(maxN, 3);
    t.ts.reserve(n), t.price.reserve(n), t.volume.reserve(n);  // exactly n: ASan sees reads past the end
    const uint8_t start = byte();
    double ts = start < 96 ? 1.7e12 : start < 160 ? 0 : start < 224 ? -1e9 : anyDouble();
    double price = flag() ? 100 : positiveFinite();
    for (size_t i = 0; i < n; i++) {
      const uint8_t kt = byte();
      if (kt < 64) {
      } else if (kt < 160) {
        ts += in(1, 1000);
      } else if (kt < 192) {
        ts += barMs * in(1, 8) / 4;
      } else if (kt < 224) {
        ts = (std::floor(ts / barMs) + in(1, 3)) * barMs;  // exactly on a bar boundary
      } else if (kt < 248) {
        ts += real(0, 1e15);
      } else {
        ts = anyDouble();
      }
      const uint8_t kp = byte();
      if (kp < 96) {
      } else if (kp < 192) {
        price += price * 1e-4 * in(-2, 2);
      } else if (kp < 240) {
        price *= real(0.5, 2);
      } else {
        price = anyDouble();
      }
      const uint8_t kv = byte();
      const double volume = kv < 32    ? 0
                            : kv < 160 ? in(1, 1000)
                            : kv < 224 ? real(0, 1e6)
                            : kv < 248 ? fdp_.PickValueInArray(kSpecialPositive)
                                       : anyDouble();
      t.ts.push_back(ts);
      t.price.push_back(price);
      t.volume.push_back(volume);
    }
    return t;
  }

 private:
  FuzzedDataProvider fdp_;
};

/// How much bucket work a call would do. The kernels guard one call at 1e7 buckets, far too many for a
/// fast fuzzer under ASan (and each bucket sums the last `window` imbalances), so targets run only
/// inputs that pour few buckets (at most 1e5, and 1e7 terms of those sums), or that the guard must
/// refuse outright: one value worth > 2e7 buckets and the rest (every other call) cheap.
/// `extra`: volume >= 0 poured besides `volumes` (the open bar of an imported state).
enum class Budget { Cheap, GuardMustFire, TooCostly };

inline Budget bucketBudget(const std::vector<double>& volumes, double bucketVolume, int64_t window, double extra = 0) {
  const double w = static_cast<double>(window);
  auto cheap = [w](double buckets) { return buckets <= 1e5 && buckets * std::min(buckets, w) <= 1e7; };
  constexpr double kHuge = 2e7;
  size_t top = volumes.size();
  double largest = extra;
  for (size_t i = 0; i < volumes.size(); i++) {
    const double v = volumes[i];
    if (v >= 0 && v <= DBL_MAX && v > largest) largest = v, top = i;  // bad volumes are data faults
  }
  double rest = top == volumes.size() ? 0 : extra;
  for (size_t i = 0; i < volumes.size(); i++) {
    if (i != top && volumes[i] >= 0 && volumes[i] <= DBL_MAX) rest += volumes[i];
  }
  if (cheap((rest + largest) / bucketVolume)) return Budget::Cheap;
  if (largest / bucketVolume > kHuge && cheap(rest / bucketVolume)) return Budget::GuardMustFire;
  return Budget::TooCostly;
}

}  // namespace kernelbus::fuzz
