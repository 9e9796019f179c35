// Trade and bar classification (vpin.hpp: tickRule(), standardizedChanges(), bulkClassify()) and the
// buy fractions the buckets share (vpin_steps.hpp). Follows referenceVpin.tickRule / bulkClassify in
// src/backends/reference/vpin/vpin.ts.
#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>

#include "parallel.hpp"
#include "math/special.hpp"
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

// True when every bar is valid (open and close finite, volume finite >= 0): parts of the bars on the
// threads, each tested without a branch (the exact scan, barFault(), only names a bad value).
bool barsValid(const double* open, const double* close, const double* volume, size_t n) {
  std::atomic<bool> bad{false};
  parallelFor(n, kBulkMinChunk, [&](size_t begin, size_t end) {
    bool valid = true;
    for (size_t i = begin; i < end; i++) {
      valid &= (std::fabs(open[i]) <= DBL_MAX) & (std::fabs(close[i]) <= DBL_MAX) & (volume[i] >= 0) & (volume[i] <= DBL_MAX);
    }
    if (!valid) bad.store(true, std::memory_order_relaxed);
  });
  return !bad.load();
}

// priceChanges()' dP[i], read off the prices where it is needed instead of stored: close to close
// (mode 0, after the first bar), else open to close.
struct Changes {
  const double* open;
  const double* close;
  int mode;
  double operator()(size_t i) const { return i == 0 || mode != 0 ? close[i] - open[i] : close[i] - close[i - 1]; }
  // z[i] = standardized(dP[i], sigma) for i in [begin, end): a loop per mode, without a test a bar
  void standardize(size_t begin, size_t end, double sigma, double* z) const {
    size_t i = begin;
    if (i == 0 && end > 0) z[i++] = standardized(close[0] - open[0], sigma);
    if (mode == 0) {
      for (; i < end; i++) z[i] = standardized(close[i] - close[i - 1], sigma);
    } else {
      for (; i < end; i++) z[i] = standardized(close[i] - open[i], sigma);
    }
  }
};

// The sample or fixed sigma of the bars' changes (the sample one two sums in bar order, as the
// reference's: on one thread), then `each(begin, end)` over parts of the bars on the threads. Nothing
// is written before the last pass: the output is written once (it held dP first, then z: a write and
// a read of the whole output more, issue 52).
template <typename Each>
void withSigma(const Changes& dP, size_t n, const Params& params, Each each) {
  const double sigma = params.sigmaKind == kSigmaSample ? sampleStd(n, dP) : params.sigmaParam;
  parallelFor(n, kBulkMinChunk, [&](size_t begin, size_t end) { each(begin, end, sigma); });
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
  if (!barsValid(open, close, volume, n)) return barFault(open, close, volume, n);
  const Changes dP{open, close, params.priceChange};
  if (params.sigmaKind == kSigmaSample || params.sigmaKind == kSigmaFixed) {
    withSigma(dP, n, params, [&](size_t begin, size_t end, double sigma) { dP.standardize(begin, end, sigma, z); });
  } else {
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
  if (params.sigmaKind == kSigmaSample || params.sigmaKind == kSigmaFixed) {
    // the checks, sigma, then z, F(z) and the buy volume of each bar while its part is in cache
    if (!barsValid(open, close, volume, n)) return barFault(open, close, volume, n);
    const Changes dP{open, close, params.priceChange};
    withSigma(dP, n, params, [&](size_t begin, size_t end, double sigma) {
      dP.standardize(begin, end, sigma, buy);
      buyFractions(buy + begin, end - begin, params.distribution, params.nu, volume + begin);
    });
    return Status{};
  }
  // the rolling and EWMA sigmas: the output holds z, then the buy volumes (no allocation)
  if (Status s = standardizedChanges(open, close, volume, n, params, buy); !s.ok()) return s;
  buyFractions(buy, n, params.distribution, params.nu, volume);
  return Status{};
}

}  // namespace kernelbus::vpin
