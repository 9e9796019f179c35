// factorReturns() (factor.hpp) in its three stages per date, so that a backend can compute one stage
// its own way and for every date at once: the Metal backend (native/metal/host_factor.cpp) forms the
// styles' normal equations of all dates on the GPU between the other two stages, which it shares with
// the native kernel. factor_returns.cpp implements them in the reference's order of operations
// (src/backends/reference/factor/factor.ts factorReturns: its header states the model).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <vector>

#include "factor.hpp"
#include "parallel.hpp"
#include "status.hpp"

namespace kernelbus::factor {

/// factorReturns()'s arguments (factor.hpp): panels rows x cols, sectors (cols codes, or rows x cols
/// when perDate) in [0, m), s style panels, winsorize < 0: off.
struct FactorInputs {
  const double* returns;
  const double* cap;
  size_t rows, cols;
  const double* sectors;
  bool perDate;
  size_t m;
  const double* const* styles;
  size_t s;
  double winsorize;
  bool residualize;
  /// Factor returns per date: the market, m sectors, s styles.
  size_t factors() const { return 1 + m + s; }
};

/// The data faults of factorReturns(): an infinite return, a market cap not NaN or finite > 0, a
/// sector code not an integer in [0, m) (NaN allowed per date), in that order.
Status checkFactorInputs(const FactorInputs& in);

/// One date after its market + sector stage: the usable assets (every input finite), their weights
/// sqrt(cap), their returns (winsorized when asked) and the residuals e of the sector regression.
struct FactorDate {
  std::vector<size_t> use;
  std::vector<double> w, r, e;
  /// The style regression's dependent variable: e (residualizeStyles) or r.
  const std::vector<double>& y(bool residualize) const { return residualize ? e : r; }
};

/// The market + sector stage, with scratch reused across the dates one thread takes.
class SectorStage {
 public:
  explicit SectorStage(size_t m);
  ~SectorStage();
  SectorStage(const SectorStage&) = delete;
  SectorStage& operator=(const SectorStage&) = delete;
  /// Date t into `d`, and its market and sector returns into fr[0..m]; false (nothing written) when
  /// the date has fewer usable assets than factors (its outputs stay NaN).
  bool run(const FactorInputs& in, size_t t, FactorDate& d, double* fr);

 private:
  struct Scratch;
  std::unique_ptr<Scratch> scratch_;
};

/// The styles' normal equations of date t: A (s x s) = sum over the usable assets of w x x', c (s) =
/// sum of w x y, in the assets' order (both written whole).
void styleGram(const FactorInputs& in, size_t t, const FactorDate& d, double* A, double* c);

/// styleStage()'s scratch, reused across dates.
struct StyleScratch {
  std::vector<double> f, v;
};

/// The style stage of date t: f = pinv(A) c (A overwritten) into fr[1 + m + k], and each usable
/// asset's residual e - x'f into resid[t * cols + asset] (styleResiduals()).
void styleStage(const FactorInputs& in, size_t t, const FactorDate& d, double* A, const double* c, double* fr, double* resid,
                StyleScratch& scratch);

/// The end of the style stage once a backend solved for the style returns f (s values): f into
/// fr[1 + m + k], and each usable asset's residual e - x'f into resid[t * cols + asset].
void styleResiduals(const FactorInputs& in, size_t t, const FactorDate& d, const double* f, double* fr, double* resid);

/// Dates per task when the dates of a `cols`-asset panel are shared out between threads (a date's
/// result is the same on any thread).
inline size_t dateGrain(size_t cols) { return std::max<size_t>(1, 4096 / (cols + 1)); }

/// factorReturns() date by date, as the native and BLAS kernels run it: the data checks, every output
/// NaN, the dates shared out between the threads (dateGrain), each date's market + sector stage, then
/// `styles(t, date, fr, resid, scratch)` for each date that stage leaves usable (fr: the date's
/// factor returns, resid: the residual panel), with one default-constructed Scratch per thread.
template <typename Scratch, typename Styles>
Status runDates(const FactorInputs& in, double* out, Styles styles) {
  if (Status st = checkFactorInputs(in); !st.ok()) return st;
  const size_t K = in.factors();
  const FactorReturnsOut o = factorReturnsOut(out, in.rows, in.cols, in.m, in.s);
  parallelFor(in.rows, dateGrain(in.cols), [&](size_t firstDate, size_t endDate) {
    SectorStage sectorStage(in.m);
    FactorDate date;
    Scratch scratch;
    // the dates' outputs NaN first, on the thread that writes them (a serial fill was part of the call
    // that two threads could not share)
    std::fill(o.factorReturns + firstDate * K, o.factorReturns + endDate * K, NAN);
    std::fill(o.residuals + firstDate * in.cols, o.residuals + endDate * in.cols, NAN);
    for (size_t t = firstDate; t < endDate; t++) {
      double* fr = o.factorReturns + t * K;
      if (sectorStage.run(in, t, date, fr)) styles(t, date, fr, o.residuals, scratch);
    }
  });
  return Status{};
}

}  // namespace kernelbus::factor
