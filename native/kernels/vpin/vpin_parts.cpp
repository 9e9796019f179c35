// aggregateInParts() (vpin_steps.hpp): trades into bars on the kernels' threads. One pass over 10^7
// trades in 60 s bars is ~24 ms of one core (a volume sum a trade, in trade order); the bars of one part
// of the tape do not depend on another's, so the trades are cut where a bar ends for certain, each part
// is aggregated on its own, and their bars joined in order: the same bars, each summed over the same
// trades in the same order, as one pass.
//
// A cut at trade j holds when ts[j] >= (floor(ts[j-1] / barMs) + 1) * barMs: the bar open at j - 1 began
// at or before ts[j-1], so its index is at most floor(ts[j-1] / barMs) (the rounded division and product
// are monotonic) and one pass opens a new bar at j whatever that bar was. Part k then starts as one pass
// is at j with its open bar closed: no open bar, the time before j (the order check), the tick rule's
// carry (the price before j, and the sign of the last change before it: found looking back from j, a
// cut dropped where that is more than limits.carryScan trades back), the rest of the state as it came; part
// k - 1's open bar is closed as j would close it. Labels are per trade: nothing to carry. NaN or
// infinite times make no cut. The first part with a fault has the fault one pass finds first (the parts
// before it are good, so it starts in one pass's state).
#include <cstddef>
#include <vector>

#include "parallel.hpp"
#include "vpin_steps.hpp"

namespace kernelbus::vpin {
namespace {

/// Cuts of [0, n) into at most `parts` parts: their first trades, each a cut that holds (above), from 0.
std::vector<size_t> cuts(Doubles ts, size_t n, double barMs, size_t parts) {
  std::vector<size_t> starts{0};
  for (size_t k = 1; k < parts; k++) {
    const size_t stop = n / parts * (k + 1);
    size_t j = std::max(starts.back() + 1, n / parts * k);
    while (j < stop && !(ts[j] >= (std::floor(ts[j - 1] / barMs) + 1) * barMs)) j++;
    if (j < stop) starts.push_back(j);
  }
  return starts;
}

/// The tick rule's carry after trades [0, j) of a pass that started in `st`: the price before j and the
/// sign of the last change (tick::next()'s); false when that change is more than `scan` trades back.
bool carryBefore(const TradeState& st, Doubles price, size_t j, size_t scan, TradeState& s) {
  for (size_t i = j; i-- > 0 && j - i <= scan;) {
    const double before = i > 0 ? price[i - 1] : st.lastPrice;
    const int change = (price[i] > before) - (price[i] < before);
    if (change != 0 || i == 0) {
      s.lastPrice = price[j - 1];
      s.lastSign = change != 0 ? change : st.lastSign;
      return true;
    }
  }
  return false;
}

}  // namespace

bool aggregateInParts(TradeState& st, double barMs, bool tick, Doubles ts, Doubles price, Doubles volume, size_t n, Bars& closed,
                      const int8_t* labels, Status& status, const PartsLimits& limits) {
  const size_t threads = threadCount();
  if (n < limits.from || threads < 2) return false;
  const double span = std::floor(ts[n - 1] / barMs) - std::floor(ts[0] / barMs) + 2;
  if (!(span * limits.tradesPerBar <= static_cast<double>(n))) return false;  // short bars, or bad times
  std::vector<size_t> starts = cuts(ts, n, barMs, threads);
  std::vector<TradeState> states(starts.size(), st);
  for (size_t k = starts.size(); k-- > 1;) {
    TradeState& s = states[k];
    s.hasBar = false;
    s.bar = Bar{};
    s.lastTs = ts[starts[k] - 1];
    if (tick && !carryBefore(st, price, starts[k], limits.carryScan, s)) {
      starts.erase(starts.begin() + static_cast<std::ptrdiff_t>(k));
      states.erase(states.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
  const size_t parts = starts.size();
  if (parts < 2) return false;

  std::vector<Bars> bars(parts);
  std::vector<Status> faults(parts);
  parallelFor(parts, 1, [&](size_t begin, size_t end) {
    for (size_t k = begin; k < end; k++) {
      const size_t from = starts[k], len = (k + 1 < parts ? starts[k + 1] : n) - from;
      faults[k] = aggregate(states[k], barMs, tick, ts + from, price + from, volume + from, len, k == 0 ? closed : bars[k],
                            labels ? labels + from : nullptr);
    }
  });
  for (size_t k = 0; k < parts; k++) {
    if (!faults[k].ok()) {
      status = faults[k];
      status.index += static_cast<double>(starts[k]);
      return true;
    }
  }
  for (size_t k = 1; k < parts; k++) {
    closeOpenBar(states[k - 1], closed);  // as part k's first trade closes it
    closed.insert(closed.end(), bars[k].begin(), bars[k].end());
  }
  st = states[parts - 1];
  status = Status{};
  return true;
}

}  // namespace kernelbus::vpin
