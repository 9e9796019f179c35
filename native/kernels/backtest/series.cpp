// series(): a result's assets, cash or value from its order records and close, made on request as
// vectorbt makes them (asset_flow_nb, assets_nb, cash_flow_nb, cash_grouped_nb, Portfolio.asset_value
// with fillna_close, value). The twin of src/simulation/records.ts backtestSeries, operation for
// operation: each cell's flows add_nb'ed in record order, each position and cash the add_nb running
// sum of its flows (a bar without one adds 0: the running value snapped to 0 within 1e-12), a value
// group's flow summed over its columns in order, its value the cash plus 0 plus its columns' asset
// values in order.
//
// Bar by bar over a chunk of value groups (a thread's), writing the series' rows in order: a row is
// the one before snapped (a loop that vectorizes), then set again where the bar has records (its
// records from a counting sort of the chunk's records by bar). The value keeps the positions' and
// the cash's rows of the bar before instead of writing them.
#include <algorithm>
#include <cmath>
#include <vector>

#include "backtest.hpp"
#include "execute.hpp"
#include "memory.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace kernelbus::backtest {

namespace {

/// `to` = `from` snapped (add(x, 0): 0 within the tolerance, else x).
KERNELBUS_VECTOR_BODY void snapRow(size_t n, const double* from, double* to) {
  for (size_t k = 0; k < n; k++) to[k] = std::fabs(from[k]) <= kAbsTol ? 0.0 : from[k];
}

/// One value group of a column each: value = cash + (0 + asset value at the filled close), the close
/// filled forward into `last` (`close` the chunk's row, or one close for all where `closeStride` is 0)
/// and backward (`first`) before its first number.
KERNELBUS_VECTOR_BODY void valueRow(size_t n, const double* close, size_t closeStride, const double* first, double* last,
                                    const double* position, const double* cash, double* value) {
  for (size_t k = 0; k < n; k++) {
    const double v = close[closeStride * k], l = last[k];
    const double now = v == v ? v : l;
    last[k] = now;
    const double filled = now == now ? now : first[k];
    const double p = position[k], worth = filled * p;
    value[k] = cash[k] + (0.0 + (p == 0 ? 0.0 : worth));
  }
}
KERNELBUS_VECTOR_BODY void valueRowOwn(size_t n, const double* close, const double* first, double* last, const double* position,
                                       const double* cash, double* value) {
  valueRow(n, close, 1, first, last, position, cash, value);
}
KERNELBUS_VECTOR_BODY void valueRowBroadcast(size_t n, const double* close, const double* first, double* last, const double* position,
                                             const double* cash, double* value) {
  valueRow(n, close, 0, first, last, position, cash, value);
}

/// A chunk: value groups [g0, g1), their columns [c0, c1).
struct Chunk {
  size_t g0, g1, c0, c1;
};

/// Makes series `which` of `in` for the chunk `b` into `out` (row-major, `width` columns a row).
void chunkSeries(const SeriesInput& in, int which, const Chunk& b, const std::vector<size_t>& groupOf, double* out) {
  const size_t T = in.rows, K = in.cols, G = in.groups, C = b.c1 - b.c0, GC = b.g1 - b.g0;
  // the chunk's records by bar (a counting sort: record order within a bar)
  std::vector<size_t> start(T + 1, 0), list;
  for (size_t r = 0; r < in.orderCount; r++)
    if (in.col[r] >= double(b.c0) && in.col[r] < double(b.c1)) start[size_t(in.idx[r]) + 1]++;
  for (size_t i = 0; i < T; i++) start[i + 1] += start[i];
  list.resize(start[T]);
  {
    std::vector<size_t> next(start.begin(), start.end() - 1);
    for (size_t r = 0; r < in.orderCount; r++)
      if (in.col[r] >= double(b.c0) && in.col[r] < double(b.c1)) list[next[size_t(in.idx[r])]++] = r;
  }
  // per column the bar's asset and cash flows (0 where it has none), and the columns with a record
  std::vector<double> assetFlow(C, 0.0), cashFlow(C, 0.0);
  std::vector<uint8_t> isTouched(C, 0);
  std::vector<size_t> touched;
  // the rows before bar 0 (no position, the initial cash), and the value's rows of positions and cash
  // (the bar before's and this bar's, in turn): the series asked for is written in `out` instead
  std::vector<double> zeros(C, 0.0), initCash(in.initCash + b.g0, in.initCash + b.g1);
  std::vector<double> positions(which == kSeriesValue ? 2 * C : 0), cashRows(which == kSeriesValue ? 2 * GC : 0);
  // the value: the close filled forward (`last`) and backward (`first`, its first number)
  const size_t closeStride = in.close.cols == 1 ? 0 : 1, closeCols = in.close.cols;
  std::vector<double> last(which == kSeriesValue ? C : 0, kNaN), first(which == kSeriesValue ? C : 0, kNaN);
  if (which == kSeriesValue) {
    for (size_t i = 0, missing = C; i < T && missing > 0; i++)
      for (size_t k = 0; k < C; k++)
        if (std::isnan(first[k]) && !std::isnan(first[k] = in.close.at(i, b.c0 + k))) missing--;
  }
  for (size_t i = 0; i < T; i++) {
    // this bar's flows, per column in record order
    for (size_t q = start[i]; q < start[i + 1]; q++) {
      const size_t r = list[q], k = size_t(in.col[r]) - b.c0;
      const double size = in.side[r] == kBuy ? in.size[r] : -in.size[r];
      if (!isTouched[k]) {
        isTouched[k] = 1;
        touched.push_back(k);
      }
      assetFlow[k] = add(assetFlow[k], size);
      if (which != kSeriesAssets) cashFlow[k] = add(cashFlow[k], -size * in.price[r] - in.fees[r]);
    }
    std::sort(touched.begin(), touched.end());  // a group's flows summed in column order
    // the positions: the row before snapped, then each column with a flow
    double* position = nullptr;
    if (which != kSeriesCash) {
      const double* before = i == 0                   ? zeros.data()
                             : which == kSeriesAssets ? out + (i - 1) * K + b.c0
                                                      : positions.data() + ((i - 1) % 2) * C;
      position = which == kSeriesAssets ? out + i * K + b.c0 : positions.data() + (i % 2) * C;
      simd::run<snapRow>(C, before, position);
      for (const size_t k : touched) position[k] = add(before[k], assetFlow[k]);
    }
    // the cash of each value group: the same, with the flows of its columns summed
    double* cash = nullptr;
    if (which != kSeriesAssets) {
      const double* before = i == 0                 ? initCash.data()
                             : which == kSeriesCash ? out + (i - 1) * G + b.g0
                                                    : cashRows.data() + ((i - 1) % 2) * GC;
      cash = which == kSeriesCash ? out + i * G + b.g0 : cashRows.data() + (i % 2) * GC;
      simd::run<snapRow>(GC, before, cash);
      double flow = 0;
      for (size_t t = 0; t < touched.size(); t++) {
        const size_t g = groupOf[b.c0 + touched[t]] - b.g0;
        flow += cashFlow[touched[t]];
        if (t + 1 == touched.size() || groupOf[b.c0 + touched[t + 1]] - b.g0 != g) {
          cash[g] = add(before[g], flow);
          flow = 0;
        }
      }
    }
    for (const size_t k : touched) {
      assetFlow[k] = cashFlow[k] = 0;
      isTouched[k] = 0;
    }
    touched.clear();
    if (which != kSeriesValue) continue;
    // the value: the cash plus the positions at the filled close
    const double* close = in.close.data + i * closeCols + closeStride * b.c0;
    double* value = out + i * G + b.g0;
    if (GC == C) {
      if (closeStride == 1)
        simd::run<valueRowOwn>(C, close, first.data(), last.data(), position, cash, value);
      else
        simd::run<valueRowBroadcast>(C, close, first.data(), last.data(), position, cash, value);
      continue;
    }
    for (size_t g = 0, k = 0; g < GC; g++) {
      double held = 0;
      for (const size_t end = k + size_t(in.groupLens[b.g0 + g]); k < end; k++) {
        const double v = close[closeStride * k];
        if (v == v) last[k] = v;
        const double filled = last[k] == last[k] ? last[k] : first[k];
        held += position[k] == 0 ? 0.0 : filled * position[k];
      }
      value[g] = cash[g] + held;
    }
  }
}

}  // namespace

void series(const SeriesInput& in, int which, double* out) {
  const size_t T = in.rows, K = in.cols, G = in.groups;
  adviseHugePages(out, T * (which == kSeriesAssets ? K : G) * sizeof(double));
  std::vector<size_t> firstCol(G + 1, 0), groupOf(K);
  for (size_t g = 0; g < G; g++) {
    firstCol[g + 1] = firstCol[g] + size_t(in.groupLens[g]);
    for (size_t c = firstCol[g]; c < firstCol[g + 1]; c++) groupOf[c] = g;
  }
  // chunks of whole value groups, about a thread's share of the columns each (at least 16 columns:
  // a row's part a few cache lines)
  const size_t threads = threadCount();
  const size_t width = std::max<size_t>(16, (K + threads - 1) / threads);
  std::vector<Chunk> chunks;
  for (size_t g = 0; g < G;) {
    Chunk c{g, g, firstCol[g], firstCol[g]};
    while (c.g1 < G && (c.g1 == c.g0 || firstCol[c.g1 + 1] - c.c0 <= width)) c.g1++;
    c.c1 = firstCol[c.g1];
    chunks.push_back(c);
    g = c.g1;
  }
  parallelForChunks(chunks.size(), 1, [&](size_t begin, size_t end) {
    for (size_t c = begin; c < end; c++) chunkSeries(in, which, chunks[c], groupOf, out);
  });
}

}  // namespace kernelbus::backtest
