// Trade and bar classification (vpin.hpp: tickRule(), standardizedChanges(), bulkClassify()) and the
// buy fractions the buckets share (vpin_steps.hpp). Follows referenceVpin.tickRule / bulkClassify in
// src/backends/reference/vpin/vpin.ts.
#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>

#include "parallel.hpp"
#include "special.hpp"
#include "tick.hpp"
#include "vpin.hpp"
#include "vpin_steps.hpp"

namespace kernelbus::vpin {

// buyFractions() (vpin_steps.hpp): the buy fractions F(z), kChunk values at a time.
void buyFractions(double* z, size_t n, int distribution, double nu, const double* volume) {
  double cdf[kChunk];
  for (size_t from = 0; from < n; from += kChunk) {
    const size_t len = std::min(kChunk, n - from);
    double* x = z + from;
    if (distribution == 0) {
      normalCdfMany(x, cdf, len);
    } else {
      for (size_t i = 0; i < len; i++) cdf[i] = studentTCdf(x[i], nu);
    }
    for (size_t i = 0; i < len; i++) x[i] = std::isnan(x[i]) ? 0.5 : cdf[i];
    if (volume != nullptr) {
      for (size_t i = 0; i < len; i++) x[i] *= volume[from + i];
    }
  }
}

// tick::signs() (the changes side by side, the carried sign a prefix scan); a price that is not
// finite found after it by the exact scan (the reference's fault and index).
Status tickRule(const double* price, size_t n, int8_t* out) {
  tick::Carry carry;
  if (tick::signs(Doubles(price), n, carry, out)) return Status{};
  for (size_t i = 0; i < n; i++) {
    if (!isFiniteNumber(price[i])) return fault(Fault::PriceArgNotFinite, double(i), price[i]);
  }
  return Status{};
}

namespace {

// The bars a thread takes at least in bulkClassify's element-wise passes (each value computed alone:
// the same bits on any thread count; below this one thread).
constexpr size_t kBulkMinChunk = size_t{1} << 15;

// standardizedChanges() with the sample or a fixed sigma, its z not yet divided: the checks and the
// price changes in one pass over parts of the bars on the threads, then sigma (the sample one is one
// sum in bar order, as the reference's: on one thread). False when a value is bad.
bool changesAndSigma(const double* open, const double* close, const double* volume, size_t n, const Params& params, double* z,
                     double& sigma) {
  std::atomic<bool> bad{false};
  const int mode = params.priceChange;
  parallelFor(n, kBulkMinChunk, [&](size_t begin, size_t end) {
    bool valid = true;  // vectorized; the exact scan only to name a bad value
    for (size_t i = begin; i < end; i++) {
      valid &= (std::fabs(open[i]) <= DBL_MAX) & (std::fabs(close[i]) <= DBL_MAX) & (volume[i] >= 0) & (volume[i] <= DBL_MAX);
    }
    if (begin == 0 && end > 0) z[0] = close[0] - open[0];  // priceChanges()
    const size_t from = std::max<size_t>(begin, 1);
    if (mode == 0) {
      for (size_t i = from; i < end; i++) z[i] = close[i] - close[i - 1];
    } else {
      for (size_t i = from; i < end; i++) z[i] = close[i] - open[i];
    }
    if (!valid) bad.store(true, std::memory_order_relaxed);
  });
  if (bad.load()) return false;
  sigma = params.sigmaKind == kSigmaSample ? sampleStd(n, [z](size_t i) { return z[i]; }) : params.sigmaParam;
  return true;
}

// The first bad value of bars the checks refused, as its fault.
Status barFault(const double* open, const double* close, const double* volume, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!isFiniteNumber(open[i])) return fault(Fault::OpenNotFinite, double(i), open[i]);
    if (!isFiniteNumber(close[i])) return fault(Fault::CloseNotFinite, double(i), close[i]);
    if (!(volume[i] >= 0 && volume[i] <= DBL_MAX)) return fault(Fault::BarVolumeInvalid, double(i), volume[i]);
  }
  return Status{};
}

}  // namespace

Status standardizedChanges(const double* open, const double* close, const double* volume, size_t n, const Params& params, double* z) {
  if (params.sigmaKind == kSigmaSample || params.sigmaKind == kSigmaFixed) {
    double sigma = 0;
    if (!changesAndSigma(open, close, volume, n, params, z, sigma)) return barFault(open, close, volume, n);
    parallelFor(n, kBulkMinChunk, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; i++) z[i] = standardized(z[i], sigma);
    });
  } else {
    bool valid = true;  // one vectorized pass; the exact scan only to name a bad value
    for (size_t i = 0; i < n; i++) {
      valid &= (std::fabs(open[i]) <= DBL_MAX) & (std::fabs(close[i]) <= DBL_MAX) & (volume[i] >= 0) & (volume[i] <= DBL_MAX);
    }
    if (!valid) return barFault(open, close, volume, n);
    priceChanges(open, close, n, params.priceChange, z);
    double ewmaVar = NAN;
    std::vector<double> window;
    size_t head = 0;
    const Sigma sigma{params.sigmaKind, params.sigmaParam, 0, &ewmaVar, &window, &head};
    for (size_t i = 0; i < n; i++) z[i] = standardized(z[i], sigma.next(z[i]));
  }
  return Status{};
}

Status bulkClassify(const double* open, const double* close, const double* volume, size_t n, const Params& params, double* buy) {
  // The output holds dP, then z, then the fractions, then the buy volumes: no allocation.
  if (params.sigmaKind == kSigmaSample || params.sigmaKind == kSigmaFixed) {
    // one pass for the checks and dP, sigma, then one for z, F(z) and the buy volume, on the threads
    double sigma = 0;
    if (!changesAndSigma(open, close, volume, n, params, buy, sigma)) return barFault(open, close, volume, n);
    parallelFor(n, kBulkMinChunk, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; i++) buy[i] = standardized(buy[i], sigma);
      buyFractions(buy + begin, end - begin, params.distribution, params.nu, volume + begin);
    });
    return Status{};
  }
  if (Status s = standardizedChanges(open, close, volume, n, params, buy); !s.ok()) return s;
  buyFractions(buy, n, params.distribution, params.nu, volume);
  return Status{};
}

}  // namespace kernelbus::vpin
