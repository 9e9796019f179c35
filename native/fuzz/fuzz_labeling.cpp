// libFuzzer target of the labeling family's kernels (native/kernels/labeling/), called directly: a series
// mostly valid (bar times increasing with gaps, now and then a repeat or a NaN; closes positive, NaN or
// anything), events on its bars or anywhere, parameters in range; every array allocated at exactly its
// length, so that a read or write past one is an ASan report. fuzz_entries.cpp drives the generated
// entries with arbitrary arrays and counts.
// Invariants: no crash, no sanitizer report, no hang; a fault is one of the family's; on success the
// outputs keep their contracts: CUSUM flags 0 or 1; a triple-barrier row dropped whole (t1 NaN) or with
// t1 at or after its t0 and a label and barrier in {-1, 0, 1}; concurrency counts integers in [0, m];
// uniqueness in (0, 1]; each event in the test set of `testSplits` of C(splits, testSplits) folds; the
// indicator 0 or 1; bootstrap draws columns of the indicator.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "input.hpp"
#include "invariants.hpp"
#include "labeling/labeling.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

using Values = std::vector<double>;

/// A fault the family reports (a parameter the harness drew out of range included).
bool labelingFault(const Status& s) {
  return s.fault == Fault::LabelTsInvalid || s.fault == Fault::EventInvalid || s.fault == Fault::LabelValueInvalid ||
         s.fault == Fault::SplitsAboveEvents || s.fault == Fault::ParamInvalid;
}

/// Bar times: minutes with gaps of up to days, now and then a repeat, a step back or a NaN.
Values barTimes(fuzz::Input& in, size_t n) {
  Values ts(n);
  double t = in.real(-1e12, 2e12);
  for (size_t i = 0; i < n; i++) {
    const int k = in.in<int>(0, 63);
    t += k == 0 ? 0 : k == 1 ? -60'000 : k == 2 ? 86'400'000 * in.real(0.1, 3) : 60'000 * in.in<int>(1, 3);
    ts[i] = k == 3 ? NAN : t;
  }
  return ts;
}

/// Closes: a positive walk, now and then NaN, 0, a negative value or anything.
Values closes(fuzz::Input& in, size_t n) {
  Values c(n);
  double p = in.real(0.01, 1e6);
  for (size_t i = 0; i < n; i++) {
    const int k = in.in<int>(0, 63);
    p *= 1 + in.real(-0.02, 0.02);
    c[i] = k == 0 ? NAN : k == 1 ? 0 : k == 2 ? in.anyDouble() : k == 3 ? p : std::round(p * 100) / 100;
  }
  return c;
}

/// Event starts: bar times (increasing), now and then one that is not; ends at or after them, or NaN.
void events(fuzz::Input& in, const Values& ts, Values& t0, Values& t1) {
  const size_t n = ts.size();
  for (size_t i = 0; i < n; i++) {
    if (in.in<int>(0, 3) != 0) continue;
    const int k = in.in<int>(0, 31);
    t0.push_back(k == 0 ? ts[i] + 1 : ts[i]);
    const size_t end = i + in.in<size_t>(0, 40);
    t1.push_back(k == 1 ? NAN : k == 2 ? ts[i] - 1 : ts[end < n ? end : n - 1]);
  }
}

bool isLabel(double x) { return x == -1 || x == 0 || x == 1; }

void tripleBarrierCase(fuzz::Input& in, const Values& ts, const Values& close, const Values& t0, const Values& t1) {
  const size_t n = ts.size(), m = t0.size();
  Values target(in.flag() ? 1 : n);
  for (double& x : target) x = in.flag() ? in.real(0, 0.05) : in.anyDouble();
  const Values vertical = in.flag() ? t1 : Values{};
  Values side(in.flag() ? m : 0);
  for (double& x : side) x = in.in<int>(0, 15) == 0 ? in.anyDouble() : in.flag() ? 1 : -1;
  const double pt = in.real(0, 3), sl = in.real(0, 3), minReturn = in.flag() ? 0 : in.real(-0.01, 0.01);
  Values out(labeling::tripleBarrierLength(m));
  const Status s = labeling::tripleBarrier(ts.data(), n, close.data(), t0.data(), m, target.data(), target.size(), vertical.data(),
                                           vertical.size(), side.data(), side.size(), pt, sl, minReturn, out.data());
  if (!s.ok()) return require(labelingFault(s));
  const labeling::TripleBarrierOut o = labeling::tripleBarrierOut(out.data(), m);
  for (size_t i = 0; i < m; i++) {
    if (std::isnan(o.t1[i])) continue;
    require(o.t1[i] >= t0[i] && isLabel(o.label[i]) && isLabel(o.barrier[i]));
  }
}

void weightsCase(fuzz::Input& in, const Values& ts, const Values& close, const Values& t0, const Values& t1) {
  const size_t n = ts.size(), m = t0.size();
  Values counts(n), uniqueness(m), weights(m), decayed(m);
  Status s = labeling::concurrentEvents(ts.data(), n, t0.data(), m, t1.data(), counts.data());
  if (!s.ok()) return require(labelingFault(s));
  for (double c : counts) require(c >= 0 && c <= static_cast<double>(m) && c == std::floor(c));
  require(labeling::averageUniqueness(ts.data(), n, t0.data(), m, t1.data(), uniqueness.data()).ok());
  for (double u : uniqueness) require(u > 0 && u <= 1);
  require(labeling::returnWeights(ts.data(), n, close.data(), t0.data(), m, t1.data(), weights.data()).ok());
  require(labeling::timeDecayWeights(ts.data(), n, t0.data(), m, t1.data(), in.real(-0.99, 1), decayed.data()).ok());
  for (double w : decayed) require(!(w < 0));
}

void foldsCase(fuzz::Input& in, const Values& t0, const Values& t1) {
  const size_t m = t0.size();
  const size_t splits = in.in<size_t>(2, 8), testSplits = in.in<size_t>(1, splits - 1);
  size_t count = 1;
  for (size_t i = 1; i <= testSplits; i++) count = count * (splits - testSplits + i) / i;
  Values out(count * m);
  const Status s =
      labeling::combinatorialPurgedKFold(t0.data(), m, t1.data(), count, splits, testSplits, in.real(0, 0.5), in.in<int>(0, 1), out.data());
  if (!s.ok()) return require(labelingFault(s));
  for (size_t j = 0; j < m; j++) {
    size_t tested = 0;
    for (size_t f = 0; f < count; f++) {
      const double cell = out[f * m + j];
      require(cell >= 0 && cell <= 3 && cell == std::floor(cell));
      tested += cell >= 2 ? 1 : 0;
    }
    // each block is in testSplits of the C(splits, testSplits) choices: C(splits - 1, testSplits - 1) folds
    require(tested == count * testSplits / splits);
  }
}

void indicatorCase(fuzz::Input& in, const Values& ts, const Values& t0, const Values& t1) {
  const size_t n = ts.size(), m = t0.size();
  // the API's rows: the bars from the earliest t0 to the latest t1 (the kernel refuses any other)
  size_t first = 0, rows = 0;
  if (m > 0 && n > 0) {
    first = labeling::firstAtOrAfter(ts.data(), n, t0[0]);
    double last = -INFINITY;
    for (double t : t1) last = t > last ? t : last;
    const size_t end = labeling::firstAtOrAfter(ts.data(), n, last);
    rows = end < n && end >= first ? end - first + 1 : 0;
  }
  if (in.flag()) rows += in.in<size_t>(0, 2);
  Values out(labeling::indicatorMatrixLength(rows, m));
  const Status s = labeling::indicatorMatrix(ts.data(), n, t0.data(), m, t1.data(), first, rows, out.data());
  if (!s.ok()) return require(labelingFault(s));
  const labeling::IndicatorMatrixOut o = labeling::indicatorMatrixOut(out.data(), rows, m);
  for (size_t c = 0; c < rows * m; c++) require(o.values[c] == 0 || o.values[c] == 1);
  if (m == 0 || rows == 0) return;
  const size_t samples = in.in<size_t>(1, 30);
  Values draws(samples);
  require(labeling::sequentialBootstrap(o.values, rows, m, samples, in.in<size_t>(0, 1000), draws.data()).ok());
  for (double d : draws) require(d >= 0 && d < static_cast<double>(m) && d == std::floor(d));
}

void seriesCase(fuzz::Input& in, const Values& ts, const Values& close) {
  const size_t n = ts.size();
  Values flags(n), vol(n), labels(n), diffed(n);
  Values threshold(in.flag() ? 1 : n);
  for (double& h : threshold) h = in.flag() ? in.real(1e-4, 0.05) : in.anyDouble();
  Status s = labeling::cusumFilter(ts.data(), n, close.data(), threshold.data(), threshold.size(), flags.data());
  if (s.ok()) {
    for (double f : flags) require(f == 0 || f == 1);
  } else {
    require(labelingFault(s));
  }
  s = labeling::dailyVolatility(ts.data(), n, close.data(), in.in<size_t>(1, 300), vol.data());
  if (s.ok()) {
    for (double v : vol) require(std::isnan(v) || v >= 0);
  }
  const size_t window = in.in<size_t>(0, 40);
  s = labeling::fixedHorizonLabels(close.data(), n, threshold.data(), threshold.size(), in.flag(), window > 0, window, labels.data());
  if (s.ok()) {
    for (double l : labels) require(std::isnan(l) || isLabel(l));
  }
  Values x(close);
  s = labeling::fracDiff(x.data(), n, 1, in.real(0, 3), in.flag() ? 1e-5 : in.positiveFinite(), diffed.data());
  if (!s.ok()) require(labelingFault(s));
  Values t0(ts);
  Values trend(labeling::trendScanningLabelsLength(n));
  const size_t minLength = in.in<size_t>(3, 12);
  s = labeling::trendScanningLabels(ts.data(), n, close.data(), t0.data(), n, minLength + in.in<size_t>(1, 40), minLength,
                                    in.in<size_t>(1, 5), trend.data());
  if (!s.ok()) require(labelingFault(s));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const size_t n = in.count(600, 4);
  const Values ts = barTimes(in, n);
  const Values close = closes(in, n);
  Values t0, t1;
  events(in, ts, t0, t1);
  const int which = in.in<int>(0, 4);
  if (which == 0) seriesCase(in, ts, close);
  if (which == 1) tripleBarrierCase(in, ts, close, t0, t1);
  if (which == 2) weightsCase(in, ts, close, t0, t1);
  if (which == 3) foldsCase(in, t0, t1);
  if (which == 4) indicatorCase(in, ts, t0, t1);
  return 0;
}
