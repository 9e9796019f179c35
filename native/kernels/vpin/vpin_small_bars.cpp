// Trades into small time bars, a few trades a bar (vpin_steps.hpp: smallBars()): aggregate()'s path for
// 10 ms bars, where a new bar at every trade or two made its per-trade branches mispredict. The same bars,
// to the bit, as TradeState.update() in src/backends/reference/vpin/vpin.ts (without a classifier's buy
// volume): a vectorized pass finds each trade's bar and checks everything the reference checks, then
// the bars' volumes are summed in trade order without a branch, then the bars are written.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "simd.hpp"
#include "vpin.hpp"
#include "vpin_steps.hpp"

namespace kernelbus::vpin {
namespace {

// The bar index floor(t / barMs) of each trade into idx[n], whether it opens a bar into opens[n]; true
// when the reference takes the same steps: the trades sorted after `lastTs`, prices and volumes valid,
// each bar index finite and past `closedIndex`, and a new index exactly where the reference opens a bar
// (t >= the open bar's end, (index + 1) barMs: `prevIndex` the open bar's, -inf when there is none).
KERNELBUS_VECTOR_BODY bool barIndices(const double* t, const double* p, const double* v, size_t n, double barMs, double lastTs,
                                      double prevIndex, double closedIndex, double* idx, unsigned char* opens) {
  for (size_t i = 0; i < n; i++) idx[i] = std::floor(t[i] / barMs);
  long long bad = 0;  // 64-bit, as the doubles: the loop vectorizes
  for (size_t i = 0; i < n; i++) {
    const double before = i > 0 ? idx[i - 1] : prevIndex;
    const double tBefore = i > 0 ? t[i - 1] : lastTs;
    const bool open = idx[i] != before;
    const bool crosses = t[i] >= (before + 1) * barMs;
    bad |= !((t[i] >= tBefore) & (std::fabs(p[i]) <= DBL_MAX) & (v[i] >= 0) & (v[i] <= DBL_MAX) & (std::fabs(idx[i]) <= DBL_MAX) &
             (open == crosses) & (!open | (idx[i] > closedIndex)));
    opens[i] = open;
  }
  return bad == 0;
}

// The longest bar smallBars() takes (in the trades of one call; aggregateBody() takes the longer).
constexpr uint32_t kMostPasses = 16;

// One pass of the bars' sums: to[1 + i] = from[i] + v[i] where trade i is the depth-th of its bar (the
// sum before it made by the pass before), else from[1 + i].
KERNELBUS_VECTOR_BODY void addAtDepth(const double* from, const double* v, const uint32_t* depth, size_t n, uint32_t pass, double* to) {
  to[0] = from[0];
  for (size_t i = 0; i < n; i++) to[1 + i] = depth[i] == pass ? from[i] + v[i] : from[1 + i];
}

}  // namespace

// kSmallChunk trades' scratch on the stack: 65 bytes a trade.
bool smallBars(TradeState& st, double barMs, Doubles ts, Doubles price, Doubles volume, size_t n, Bars& closed) {
  double t[kSmallChunk], p[kSmallChunk], v[kSmallChunk], idx[kSmallChunk], sumsA[kSmallChunk + 1], sumsB[kSmallChunk + 1];
  uint32_t depth[kSmallChunk];
  unsigned char opens[kSmallChunk];
  size_t starts[kSmallChunk + 1];
  if (n == 0 || n > kSmallChunk) return n == 0;
  for (size_t i = 0; i < n; i++) {
    t[i] = ts[i];
    p[i] = price[i];
    v[i] = volume[i];
  }
  const double prevIndex = st.hasBar ? st.bar.index : -INFINITY;
  if (!simd::run<barIndices>(t, p, v, n, barMs, st.lastTs, prevIndex, st.closedBarIndex, idx, opens)) return false;
  // the bars' starts, and each trade's place in its bar (the open bar's trades counted from before the chunk)
  size_t bars = 0;
  for (size_t i = 0; i < n; i++) {
    starts[bars] = i;  // kept when trade i opens a bar
    bars += opens[i];
    depth[i] = bars == 0 ? static_cast<uint32_t>(i + 1) : static_cast<uint32_t>(i - starts[bars - 1]);
  }
  starts[bars] = n;
  // each bar's volume summed in trade order, (0 + v) + v + ... as the reference's: sums[1 + i] the bar's
  // sum at trade i (sums[0] the open bar's before the chunk), its depth-th addition made by pass `depth`
  // over the chunk (a loop that vectorizes; the passes are the longest bar's trades, a few)
  uint32_t deepest = 0;
  for (size_t i = 0; i < n; i++) deepest = std::max(deepest, depth[i]);
  if (deepest > kMostPasses) return false;
  double* sums = sumsA;
  double* next = sumsB;
  sums[0] = st.bar.volume;
  for (size_t i = 0; i < n; i++) sums[1 + i] = 0.0 + v[i];
  for (uint32_t pass = 1; pass <= deepest; pass++) {
    simd::run<addAtDepth>(sums, v, depth, n, pass, next);
    std::swap(sums, next);
  }
  // the open bar: continued by the trades before the first new one, closed by it (an open bar's lastTs
  // is set when it closes, as the reference's)
  Bar bar = st.bar;
  const size_t head = bars > 0 ? starts[0] : n;
  if (head > 0) {
    bar.close = p[head - 1];
    bar.volume = sums[head];
    bar.count += static_cast<double>(head);
  }
  if (bars > 0 && st.hasBar) {
    bar.lastTs = head > 0 ? t[head - 1] : st.lastTs;
    closed.push_back(bar);
  }
  if (bars > 0) {
    // the bars the chunk closes, written field by field in place (a Bar built aside and copied stalls
    // on its store forwarding), then the one it leaves open
    const size_t from = closed.size();
    if (from + bars > closed.capacity()) closed.reserve(std::max(from + bars, 2 * closed.capacity()));
    closed.resize(from + bars - 1);
    Bar* out = closed.data() + from;
    for (size_t b = 0; b + 1 < bars; b++) {
      const size_t s = starts[b], e = starts[b + 1];
      out[b].index = idx[s];
      out[b].open = p[s];
      out[b].close = p[e - 1];
      out[b].volume = sums[e];
      out[b].count = static_cast<double>(e - s);
      out[b].lastTs = t[e - 1];
      out[b].firstTs = t[s];
    }
    const size_t s = starts[bars - 1];
    bar = Bar{idx[s], p[s], p[n - 1], sums[n], 0, static_cast<double>(n - s), t[s], t[s]};
  }
  st.bar = bar;
  st.hasBar = st.hasBar || bars > 0;
  st.lastTs = t[n - 1];
  return true;
}

}  // namespace kernelbus::vpin
