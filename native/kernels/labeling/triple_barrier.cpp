// The triple-barrier method (generated/labeling.hpp declares it): src/backends/reference/labeling/
// events.ts referenceTripleBarrier in C++, the same operations in the same order.
#include <cmath>
#include <vector>

#include "elementary.hpp"
#include "labeling.hpp"
#include "random.hpp"

namespace kernelbus::labeling {

namespace {

double ln(double x) { return x == 0 ? -INFINITY : random::logOf(x); }

}  // namespace

Status tripleBarrier(const double* ts, size_t n, const double* close, const double* t0, size_t m, const double* target, size_t k,
                     const double* t1, size_t v, const double* side, size_t w, double pt, double sl, double minReturn, double* out) {
  if (Status s = checkTimes(ts, n); !s.ok()) return s;
  if (Status s = checkLength(k, n, ValueFault::TargetLength, true); !s.ok()) return s;
  if (Status s = checkLength(v, m, ValueFault::T1Length, false); !s.ok()) return s;
  if (Status s = checkLength(w, m, ValueFault::SideLength, false); !s.ok()) return s;
  std::vector<size_t> starts;
  if (Status s = eventStarts(ts, n, t0, m, starts); !s.ok()) return s;
  std::vector<long> vertical(m, -1);
  for (size_t i = 0; i < v; i++) {
    if (std::isnan(t1[i])) continue;
    const long j = barAt(ts, n, t1[i]);
    if (j < 0) return eventFault(EventFault::T1NotABar, i, t1[i]);
    if (static_cast<size_t>(j) < starts[i]) return eventFault(EventFault::T1BeforeT0, i, t1[i]);
    vertical[i] = j;
  }
  for (size_t i = 0; i < w; i++) {
    if (!std::isfinite(side[i])) return valueFault(ValueFault::Side, i, side[i]);
  }
  const TripleBarrierOut o = tripleBarrierOut(out, m);
  for (size_t i = 0; i < tripleBarrierLength(m); i++) out[i] = NAN;
  const bool meta = w > 0;
  // without a side both horizontal barriers sit at pt (get_events' pt_sl_ = [pt, pt])
  const double lowerMultiple = meta ? sl : pt;
  for (size_t i = 0; i < m; i++) {
    const size_t s = starts[i];
    const double trgt = k == 1 ? target[0] : target[s];
    if (!(trgt > minReturn)) continue;
    const double sd = meta ? side[i] : 1;
    const double upper = pt > 0 ? pt * trgt : NAN;
    const double lower = lowerMultiple > 0 ? -lowerMultiple * trgt : NAN;
    const size_t end = vertical[i] >= 0 ? static_cast<size_t>(vertical[i]) : n - 1;
    const double base = close[s];
    long touch = vertical[i];
    for (size_t j = s; j <= end; j++) {
      const double cum = (close[j] / base - 1) * sd;
      if (cum < lower || cum > upper) {
        touch = static_cast<long>(j);
        break;
      }
    }
    if (touch < 0) continue;
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
  return Status{};
}

}  // namespace kernelbus::labeling
