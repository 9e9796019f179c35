// libFuzzer target of the BLAS backend's factorReturns (native/blas/factor_blas.hpp), built where the
// build found a BLAS/LAPACK library: arbitrary panels (input.hpp's columns), shapes, sector counts,
// 0-8 styles and options as the binding accepts them, and styles made collinear at times (the native
// fallback). Differential against the native kernel: the same fault; outputs written in full and
// nowhere else (a guard after them); the market + sector returns the native ones bit for bit (the
// shared stage); where either kernel's style returns of a date are all finite and below 1e100 in
// magnitude, the other's are finite too (no overflow of its own: where X'Wy overflows, one gives NaN
// and the other infinity), and the residuals NaN at the same assets (the date's unusable ones).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "factor/factor.hpp"
#include "factor_blas.hpp"
#include "input.hpp"
#include "invariants.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

constexpr double kGuard = 12345.678;

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const size_t cols = in.in<size_t>(0, 40);
  const size_t rows = cols == 0 ? in.in<size_t>(0, 5) : in.count(600) / cols;
  const size_t n = rows * cols;
  const size_t m = in.in<size_t>(1, 5), s = in.in<size_t>(0, 8);
  const bool perDate = in.flag();
  const std::vector<double> r = in.column(n), cap = in.column(n);
  std::vector<double> sectors(perDate ? n : cols);
  for (double& v : sectors) v = in.flag() ? static_cast<double>(in.in<size_t>(0, m - 1)) : in.anyDouble();
  std::vector<std::vector<double>> panels(s);
  std::vector<const double*> pointers(s);
  for (size_t k = 0; k < s; k++) {
    if (k > 0 && in.flag()) {
      panels[k] = panels[in.in<size_t>(0, k - 1)];  // collinear with an earlier style
      const double scale = in.real(-4, 4);
      for (double& v : panels[k]) v *= scale;
    } else {
      panels[k] = in.column(n);
    }
    for (double& v : panels[k])
      if (std::fabs(v) == INFINITY) v = NAN;  // the binding refuses these
    pointers[k] = panels[k].data();
  }
  const double winsor = in.flag() ? -1 : in.real(0, 0.5);
  const bool residualize = in.flag();
  const size_t K = 1 + m + s, total = rows * (K + cols);
  std::vector<double> native(total + 1, kGuard), blas(total + 1, kGuard);
  const Status sn = factor::factorReturns(r.data(), cap.data(), rows, cols, sectors.data(), perDate, m, pointers.data(), s, winsor,
                                          residualize, native.data());
  const Status sb = blas::factorReturns(r.data(), cap.data(), rows, cols, sectors.data(), perDate, m, pointers.data(), s, winsor,
                                        residualize, blas.data());
  require(native[total] == kGuard && blas[total] == kGuard);
  require(sn.fault == sb.fault && same(sn.index, sb.index) && same(sn.value, sb.value) && same(sn.previous, sb.previous));
  if (!sn.ok()) return 0;
  for (size_t t = 0; t < rows; t++) {
    const double* fn = native.data() + t * K;
    const double* fb = blas.data() + t * K;
    for (size_t j = 0; j <= m; j++) require(same(fn[j], fb[j]));
    bool moderateN = true, moderateB = true, finiteN = true, finiteB = true;
    for (size_t k = 0; k < s; k++) {
      moderateN = moderateN && std::fabs(fn[1 + m + k]) < 1e100;
      moderateB = moderateB && std::fabs(fb[1 + m + k]) < 1e100;
      finiteN = finiteN && std::isfinite(fn[1 + m + k]);
      finiteB = finiteB && std::isfinite(fb[1 + m + k]);
    }
    if (moderateN) require(finiteB);
    if (moderateB) require(finiteN);
    if (!(finiteN && finiteB)) continue;
    for (size_t c = 0; c < cols; c++) {
      const size_t i = rows * K + t * cols + c;
      require(std::isnan(native[i]) == std::isnan(blas[i]));
    }
  }
  return 0;
}
