// libFuzzer target of the Metal backend's shader code (shaders/*.metal compiled as C++ through the
// shim) and host code (native/metal/host_*.cpp) on the CPU harness, one part per input:
// - uniforms: kbUniform(hi, lo) is Math.fround(uniform52(hi, lo)) bit for bit, kbUniformComplement its
//   complement 1 - uniform52 rounded once, for any words;
// - normals: kbNormalPair() within 1e-6 of the radius of random::normalPair() (the reference's
//   normals) for any key and counter, path words at the 2^32 carry included;
// - bulkClassify: shader::bulkClassify faults exactly as vpin::bulkClassify, else every buy volume is in
//   [0, volume] and within 2e-6 of the bar's volume of the native one (plus a subnormal's rounding);
// - portfolioVolatility (a symmetric finite covariance, as the binding requires): the native fault,
//   else w'Sw within 1e-5 of |w|'|S||w| wherever that is finite and above 2^-1000 and the native order
//   cannot overflow: each held asset's |S||w| row finite (an asset of weight 0 is left out of the sum,
//   whatever its row).
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "host.hpp"
#include "input.hpp"
#include "invariants.hpp"
#include "parallel.hpp"
#include "random.hpp"
#include "risk/risk.hpp"
#include "vpin/vpin.hpp"

// The shaders' random helpers (inline functions only: the kernels themselves are in the harness).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-attributes"
#include "shim/metal_shim.hpp"
#include "kb_random.h"
#pragma GCC diagnostic pop
#undef kernel
#undef device
#undef thread
#undef threadgroup
#undef constant

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

void uniforms(fuzz::Input& in) {
  const uint hi = in.in<uint32_t>(0, UINT32_MAX), lo = in.in<uint32_t>(0, UINT32_MAX);
  const double u = random::uniform52(hi, lo);
  require(kbUniform(hi, lo) == static_cast<float>(u));
  require(kbUniformComplement(hi, lo) == static_cast<float>(1 - u));  // 1 - u is exact in double
}

void normals(fuzz::Input& in) {
  const uint k0 = in.in<uint32_t>(0, UINT32_MAX), k1 = in.in<uint32_t>(0, UINT32_MAX);
  const uint c0 = in.flag() ? UINT32_MAX - in.in<uint32_t>(0, 3) : in.in<uint32_t>(0, UINT32_MAX);
  const uint c1 = in.in<uint32_t>(0, UINT32_MAX), q = in.in<uint32_t>(0, 1u << 20);
  double z0, z1;
  random::normalPair(k0, k1, c0, c1, q, 0, z0, z1);
  const float2 f = kbNormalPair(k0, k1, c0, c1, q);
  const double radius = std::sqrt(z0 * z0 + z1 * z1);
  require(std::fabs(f.x - z0) <= 1e-6 * radius + 1e-30 && std::fabs(f.y - z1) <= 1e-6 * radius + 1e-30);
}

void classify(fuzz::Input& in) {
  vpin::Params p;
  in.classifyParams(p, false);
  const size_t n = in.count(512, 3);
  const std::vector<double> open = in.column(n), close = in.column(n), volume = in.column(n);
  std::vector<double> expected(n, -1), buy(n, -1);
  const Status s = vpin::bulkClassify(open.data(), close.data(), volume.data(), n, p, expected.data());
  const Status t = shader::bulkClassify(*shader::cpuRunner(), open.data(), close.data(), volume.data(), n, p, buy.data());
  require(t.fault == s.fault && t.index == s.index);
  if (!s.ok()) return;
  for (size_t i = 0; i < n; i++) {
    require(buy[i] >= 0 && buy[i] <= volume[i]);
    require(std::fabs(buy[i] - expected[i]) <= 2e-6 * volume[i] + DBL_TRUE_MIN);  // subnormal products round absolutely
  }
}

void volatility(fuzz::Input& in) {
  const size_t n = in.in<size_t>(0, 12), portfolios = in.in<size_t>(1, 4);
  std::vector<double> cov(n * n);
  const std::vector<double> values = in.column(n * n), weights = in.column(portfolios * n);
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j <= i; j++) {
      const double v = std::isfinite(values[i * n + j]) ? values[i * n + j] : 0;
      cov[i * n + j] = cov[j * n + i] = v;
    }
  }
  std::vector<double> expected(portfolios), out(portfolios);
  const Status s = risk::portfolioVolatility(cov.data(), n, weights.data(), portfolios, expected.data());
  const Status t = shader::portfolioVolatility(*shader::cpuRunner(), cov.data(), n, weights.data(), portfolios, out.data());
  require(t.fault == s.fault && t.index == s.index);
  if (!s.ok()) return;
  for (size_t p = 0; p < portfolios; p++) {
    const double* w = weights.data() + p * n;
    double scale = 0;
    bool rowsFinite = true;  // v_i = sum_j w_j S_ji of every held asset i, as the native sums them
    for (size_t i = 0; i < n; i++) {
      double row = 0;
      for (size_t j = 0; j < n; j++) {
        scale += std::fabs(w[i] * cov[i * n + j] * w[j]);
        row += std::fabs(w[j] * cov[j * n + i]);
      }
      if (w[i] != 0 && !(row <= DBL_MAX)) rowsFinite = false;
    }
    if (!(scale <= DBL_MAX && scale > 0x1p-1000) || !rowsFinite) continue;
    const double a = std::isnan(out[p]) ? 0 : out[p] * out[p], e = std::isnan(expected[p]) ? 0 : expected[p] * expected[p];
    if (!(a <= DBL_MAX && e <= DBL_MAX)) continue;  // the square of a volatility near DBL_MAX
    require(std::fabs(a - e) <= 1e-5 * scale);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  setThreadCount(1);
  switch (in.in(0, 3)) {
    case 0:
      uniforms(in);
      break;
    case 1:
      normals(in);
      break;
    case 2:
      classify(in);
      break;
    default:
      volatility(in);
      break;
  }
  return 0;
}
