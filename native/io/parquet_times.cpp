// The pass over a decoded number column read as epoch times (parquet.hpp): toEpochMillis(), scaled to ms
// in place (EpochUnit).
// toEpochMillis uses the same arithmetic as src/io/epoch.ts (the library path's): x * 1000, x / 1e3, x / 1e6 (a
// division by 1e6 is correctly rounded, a multiplication by 1e-6 is not).
#include <algorithm>
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "parquet.hpp"

namespace kernelbus::parquet {
namespace {

EpochUnit detect(const double* v, size_t n) {
  double x = 0;
  for (size_t i = 0; i < n; i++) {
    if (std::isfinite(v[i])) {
      x = std::fabs(v[i]);
      break;
    }
  }
  return x >= 1e17   ? EpochUnit::Nanos
         : x >= 1e14 ? EpochUnit::Micros
         : x >= 1e11 ? EpochUnit::Millis
         : x >= 1e8  ? EpochUnit::Seconds
                     : EpochUnit::Millis;
}

template <typename F>
void each(double* v, size_t n, F f) {
  parallelForChunks(n, size_t{1} << 18, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) v[i] = f(v[i]);
  });
}

}  // namespace

void toEpochMillis(ColumnOut& out) {
  if (out.epoch == EpochUnit::Detect) out.epoch = detect(out.numbers, out.length);
  switch (out.epoch) {
    case EpochUnit::Seconds:
      each(out.numbers, out.length, [](double x) { return x * 1000; });
      break;
    case EpochUnit::Micros:
      each(out.numbers, out.length, [](double x) { return x / 1e3; });
      break;
    case EpochUnit::Nanos:
      each(out.numbers, out.length, [](double x) { return x / 1e6; });
      break;
    default:
      break;
  }
}

}  // namespace kernelbus::parquet
