// The triple-barrier method (generated/labeling.hpp declares it): src/backends/reference/labeling/
// events.ts referenceTripleBarrier in C++, the same operations in the same order.
#include <cmath>
#include <vector>

#include "elementary.hpp"
#include "labeling.hpp"
#include "parallel.hpp"
#include "random.hpp"

namespace kernelbus::labeling {

namespace {

double ln(double x) { return x == 0 ? -INFINITY : random::logOf(x); }

/// Event i's barriers and labels (get_events, then get_bins), into row i of o; the row left NaN when
/// the event is dropped.
void barrierEvent(const double* ts, size_t n, const double* close, size_t s, long verticalAt, double trgt, double sd, bool meta, double pt,
                  double sl, double minReturn, const TripleBarrierOut& o, size_t i) {
  if (!(trgt > minReturn)) return;
  const double upper = pt > 0 ? pt * trgt : NAN;
  // without a side both horizontal barriers sit at pt (get_events' pt_sl_ = [pt, pt])
  const double lowerMultiple = meta ? sl : pt;
  const double lower = lowerMultiple > 0 ? -lowerMultiple * trgt : NAN;
  const size_t end = verticalAt >= 0 ? static_cast<size_t>(verticalAt) : n - 1;
  const double base = close[s];
  long touch = verticalAt;
  for (size_t j = s; j <= end; j++) {
    const double cum = (close[j] / base - 1) * sd;
    if (cum < lower || cum > upper) {
      touch = static_cast<long>(j);
      break;
    }
  }
  if (touch < 0) return;
  double ret = ln(close[touch]) - ln(base);
  if (meta) ret *= sd;
  const double level = ln(1 + trgt);
  const double barrier = ret > 0 && ret > level * pt ? 1 : ret < 0 && ret < -level * sl ? -1 : 0;
  o.t1[i] = ts[touch];
  o.target[i] = trgt;
  o.ret[i] = elementary::expOf(ret) - 1;
  o.label[i] = meta && ret <= 0 ? 0 : barrier;
  o.barrier[i] = barrier;
}

}  // namespace

Status tripleBarrier(const double* ts, size_t n, const double* close, const double* t0, size_t m, const double* target, size_t k,
                     const double* t1, size_t v, const double* side, size_t w, double pt, double sl, double minReturn, double* out) {
  if (Status s = checkTimes(ts, n); !s.ok()) return s;
  if (Status s = checkLength(k, n, ValueFault::TargetLength, true); !s.ok()) return s;
  if (Status s = checkLength(v, m, ValueFault::T1Length, false); !s.ok()) return s;
  if (Status s = checkLength(w, m, ValueFault::SideLength, false); !s.ok()) return s;
  std::vector<size_t> starts;
  if (Status s = eventStarts(ts, n, t0, m, starts); !s.ok()) return s;
  std::vector<size_t> ends;
  if (v > 0) {
    if (Status s = eventEnds(ts, n, starts, t1, NanEnd::None, ends); !s.ok()) return s;
  }
  for (size_t i = 0; i < w; i++) {
    if (!std::isfinite(side[i])) return valueFault(ValueFault::Side, i, side[i]);
  }
  const TripleBarrierOut o = tripleBarrierOut(out, m);
  for (size_t i = 0; i < tripleBarrierLength(m); i++) out[i] = NAN;
  const bool meta = w > 0;
  // events are independent: they share out over the pool
  parallelFor(m, 256, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      const size_t s = starts[i];
      const long vertical = v == 0 || ends[i] == kNoEnd ? -1 : static_cast<long>(ends[i]);
      barrierEvent(ts, n, close, s, vertical, k == 1 ? target[0] : target[s], meta ? side[i] : 1, meta, pt, sl, minReturn, o, i);
    }
  });
  return Status{};
}

}  // namespace kernelbus::labeling
