// series(): a result's assets, cash and value from its order records and close, made on request as
// vectorbt makes them (asset_flow_nb, assets_nb, cash_flow_nb, cash_grouped_nb, Portfolio.asset_value
// with fillna_close, value). The twin of src/simulation/records.ts backtestSeries, operation for
// operation: each cell's flows add_nb'ed in record order, each position and cash the add_nb running
// sum of its flows (a bar without one adds 0: the running value snapped to 0 within 1e-12), a value
// group's flow summed over its columns in order, its value the cash plus 0 plus its columns' asset
// values in order.
//
// Bar by bar over a chunk of value groups (a thread's), writing the series' rows in order. The chunk
// keeps each column's position and each group's cash: a bar snaps them all (a loop that vectorizes,
// where every group is a column of its own the rows asked for written in the same pass), then sets
// again those of the columns and groups its records touch, from their values before the snap (the bar's
// records from a counting sort of the chunk's records by bar).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "backtest.hpp"
#include "execute.hpp"
#include "memory.hpp"
#include "parallel.hpp"
#include "simd.hpp"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define KERNELBUS_STREAM_STORES 1
#else
#define KERNELBUS_STREAM_STORES 0
#endif

namespace kernelbus::backtest {

namespace {

/// The series' size (the asked ones', in bytes) from which a chunk of single columns writes its rows
/// with non-temporal stores: beyond the last-level cache a result is read back from memory anyway, and
/// the stores skip reading each line before writing it (the traffic two threads contend for). 32 MB:
/// a last-level cache (this machine's L3).
constexpr size_t kStreamBytes = size_t(32) << 20;

/// Copies n doubles to `to` with non-temporal stores where the CPU has them (x86-64), else a plain
/// copy. The caller fences (streamFence) before another thread reads `to`.
inline void streamCopy(double* __restrict to, const double* __restrict from, size_t n) {
#if KERNELBUS_STREAM_STORES
  size_t k = 0;
  // the first double alone where `to` is not 16-byte aligned (a double is 8-byte aligned)
  if ((reinterpret_cast<uintptr_t>(to) & 15) != 0 && n > 0) {
    _mm_stream_si64(reinterpret_cast<long long*>(to), *reinterpret_cast<const long long*>(from));
    k = 1;
  }
  for (; k + 2 <= n; k += 2) _mm_stream_pd(to + k, _mm_loadu_pd(from + k));
  if (k < n) _mm_stream_si64(reinterpret_cast<long long*>(to + k), *reinterpret_cast<const long long*>(from + k));
#else
  std::memcpy(to, from, n * sizeof(double));
#endif
}
inline void streamFence() {
#if KERNELBUS_STREAM_STORES
  _mm_sfence();
#endif
}

/// add(x, 0): 0 within the tolerance, else x.
inline double snap(double x) { return std::fabs(x) <= kAbsTol ? 0.0 : x; }

/// x snapped in place.
KERNELBUS_VECTOR_BODY void snapAll(size_t n, double* x) {
  for (size_t k = 0; k < n; k++) x[k] = snap(x[k]);
}

/// A value: the cash plus 0 plus the position at the filled close (the close's last number, else its first).
inline double valueOf(double cash, double position, double last, double first) {
  const double filled = last == last ? last : first;
  return cash + (0.0 + (position == 0 ? 0.0 : filled * position));
}

/// A bar of n groups of a column each, in one pass: positions and cash snapped, the rows asked for
/// written (assets, cash, and the value at the close filled forward into `last`; `close` the chunk's,
/// or one close for every column where Stride is 0). Selects and the same IEEE operations: every
/// vector width gives the same bits.
template <size_t Stride, bool Assets, bool Cash, bool Value>
KERNELBUS_VECTOR_BODY void singleBar(size_t n, const double* close, const double* first, double* last, double* position, double* cash,
                                     double* assetsRow, double* cashRow, double* valueRow) {
  for (size_t k = 0; k < n; k++) {
    const double p = snap(position[k]), c = snap(cash[k]);
    position[k] = p;
    cash[k] = c;
    if (Assets) assetsRow[k] = p;
    if (Cash) cashRow[k] = c;
    if (Value) {
      const double v = close[Stride * k];
      const double now = v == v ? v : last[k];
      last[k] = now;
      valueRow[k] = valueOf(c, p, now, first[k]);
    }
  }
}

using SingleBar = void (*)(size_t, const double*, const double*, double*, double*, double*, double*, double*, double*);

/// singleBar's copy for the rows asked for (assets, cash, value: bits 1, 2, 4), at the close's stride.
template <size_t Stride>
SingleBar singleBarFor(int rows) {
  switch (rows) {
    case 1:
      return simd::Copies<&singleBar<Stride, true, false, false>>::run;
    case 2:
      return simd::Copies<&singleBar<Stride, false, true, false>>::run;
    case 4:
      return simd::Copies<&singleBar<Stride, false, false, true>>::run;
    default:
      return simd::Copies<&singleBar<Stride, true, true, true>>::run;
  }
}

/// What an order record adds to its column (from 0 in its chunk): its size, signed (the asset flow),
/// and -size * price - fees (the cash flow).
struct Flow {
  size_t column;
  double asset, cash;
};

/// A chunk: value groups [g0, g1), their columns [c0, c1).
struct Chunk {
  size_t g0, g1, c0, c1;
};

/// Where a chunk's rows go: each series' element of the chunk's first column (or group) in row 0, and
/// the distance from a row to the next (null: not asked for).
struct ChunkOut {
  double *assets = nullptr, *cash = nullptr, *value = nullptr;
  size_t assetsStride = 0, cashStride = 0, valueStride = 0;
};

/// The rows of `out` for the chunk `b`: `records` are its columns' order records, each column's in
/// record order (the columns in any order); `groupOf` the chunk's group (from 0) of each of its
/// columns; `stream`: the rows staged and written with non-temporal stores.
void chunkSeries(const SeriesInput& in, const ChunkOut& out, const Chunk& b, const std::vector<size_t>& records,
                 const std::vector<size_t>& groupOf, bool stream) {
  const size_t T = in.rows, C = b.c1 - b.c0, GC = b.g1 - b.g0;
  const bool wantCash = out.cash != nullptr || out.value != nullptr, wantValue = out.value != nullptr;
  // the chunk's records by bar (a counting sort: each column's records in record order within a bar),
  // each as the flows it adds to its column, made in record order: the records are a column's after
  // another's, and reading their fields by bar instead was several loads far apart a record (a third of
  // the pass's own time). In memory the thread keeps between calls (30,000 records are fresh pages).
  thread_local std::vector<size_t> start, next;
  thread_local std::vector<Flow> flows;
  start.assign(T + 1, 0);
  flows.resize(records.size());
  for (const size_t r : records) start[size_t(in.idx[r]) + 1]++;
  for (size_t i = 0; i < T; i++) start[i + 1] += start[i];
  next.assign(start.begin(), start.end() - 1);
  for (const size_t r : records) {
    const double size = in.side[r] == kBuy ? in.size[r] : -in.size[r];
    flows[next[size_t(in.idx[r])]++] = {size_t(in.col[r]) - b.c0, size, wantCash ? -size * in.price[r] - in.fees[r] : 0.0};
  }
  // each column's position and each group's cash, running; a bar's flows per column (0 where it has
  // none), the columns with a record (in order) and their values before the bar's snap
  std::vector<double> position(C, 0.0), cash(in.initCash + b.g0, in.initCash + b.g1), assetFlow(C, 0.0), cashFlow(C, 0.0);
  std::vector<double> positionBefore, cashBefore;
  std::vector<uint8_t> isTouched(C, 0);
  std::vector<size_t> touched;
  // the value: the close filled forward (`last`) and backward (`first`, its first number)
  const size_t closeStride = in.close.cols == 1 ? 0 : 1, closeCols = in.close.cols;
  std::vector<double> last(wantValue ? C : 0, kNaN), first(wantValue ? C : 0, kNaN);
  if (wantValue) {
    for (size_t i = 0, missing = C; i < T && missing > 0; i++)
      for (size_t k = 0; k < C; k++)
        if (std::isnan(first[k]) && !std::isnan(first[k] = in.close.at(i, b.c0 + k))) missing--;
  }
  const bool single = GC == C;  // every value group a column of its own: one pass a bar
  const int rows = (out.assets ? 1 : 0) | (out.cash ? 2 : 0) | (out.value ? 4 : 0);
  // a single chunk's rows staged (in L1), then streamed out, where the series are beyond the cache
  stream = stream && single;
  std::vector<double> staged(stream ? 3 * C : 0);
  // a chunk of a few columns (stats' groups) reads a few hundred bytes of each row of a close panel, a
  // row apart: prefetched (a wide one's rows the prefetchers follow)
  const bool narrow = wantValue && closeStride == 1 && C * sizeof(double) <= 2048;
  const SingleBar bar = closeStride == 1 ? singleBarFor<1>(rows) : singleBarFor<0>(rows);
  for (size_t i = 0; i < T; i++) {
    // this bar's flows, per column in record order
    for (size_t q = start[i]; q < start[i + 1]; q++) {
      const Flow& f = flows[q];
      const size_t k = f.column;
      if (!isTouched[k]) {
        isTouched[k] = 1;
        touched.push_back(k);
      }
      assetFlow[k] = add(assetFlow[k], f.asset);
      if (wantCash) cashFlow[k] = add(cashFlow[k], f.cash);
    }
    std::sort(touched.begin(), touched.end());  // a group's flows summed in column order
    positionBefore.clear();
    cashBefore.clear();
    for (const size_t k : touched) {
      positionBefore.push_back(position[k]);
      cashBefore.push_back(cash[groupOf[k]]);
    }
    // every position and cash snapped (and a single chunk's rows written), then those with a flow set
    const double* close = in.close.data + i * closeCols + closeStride * b.c0;
    if (narrow && i + kRowsAhead < T) prefetchSpan(close + kRowsAhead * closeCols, C * sizeof(double));
    double* assetsTo = out.assets ? out.assets + i * out.assetsStride : nullptr;
    double* cashTo = out.cash ? out.cash + i * out.cashStride : nullptr;
    double* valueTo = out.value ? out.value + i * out.valueStride : nullptr;
    double* assetsRow = stream && assetsTo ? staged.data() : assetsTo;
    double* cashRow = stream && cashTo ? staged.data() + C : cashTo;
    double* valueRow = stream && valueTo ? staged.data() + 2 * C : valueTo;
    if (single) {
      bar(C, close, first.data(), last.data(), position.data(), cash.data(), assetsRow, cashRow, valueRow);
    } else {
      simd::run<snapAll>(C, position.data());
      if (wantCash) simd::run<snapAll>(GC, cash.data());
    }
    double flow = 0;
    for (size_t t = 0; t < touched.size(); t++) {
      const size_t k = touched[t], g = groupOf[k];
      position[k] = add(positionBefore[t], assetFlow[k]);
      if (assetsRow) assetsRow[k] = position[k];
      if (!wantCash) continue;
      flow += cashFlow[k];
      if (t + 1 < touched.size() && groupOf[touched[t + 1]] == g) continue;
      cash[g] = add(cashBefore[t], flow);  // the group's last touched column: its flows summed
      flow = 0;
      if (cashRow) cashRow[g] = cash[g];
    }
    if (single && valueRow)
      for (const size_t k : touched) valueRow[k] = valueOf(cash[k], position[k], last[k], first[k]);
    for (const size_t k : touched) {
      assetFlow[k] = cashFlow[k] = 0;
      isTouched[k] = 0;
    }
    touched.clear();
    if (stream) {
      double* to[3] = {assetsTo, cashTo, valueTo};
      const double* from[3] = {assetsRow, cashRow, valueRow};
      for (size_t f = 0; f < 3; f++)
        if (to[f] != nullptr) streamCopy(to[f], from[f], C);
    }
    if (single) continue;
    // groups of several columns: the rows from the running values
    if (assetsRow) std::memcpy(assetsRow, position.data(), C * sizeof(double));
    if (cashRow) std::memcpy(cashRow, cash.data(), GC * sizeof(double));
    if (!valueRow) continue;
    for (size_t g = 0, k = 0; g < GC; g++) {
      double held = 0;
      for (const size_t end = k + size_t(in.groupLens[b.g0 + g]); k < end; k++) {
        const double v = close[closeStride * k];
        if (v == v) last[k] = v;
        const double filled = last[k] == last[k] ? last[k] : first[k];
        held += position[k] == 0 ? 0.0 : filled * position[k];
      }
      valueRow[g] = cash[g] + held;
    }
  }
  if (stream) streamFence();
}

/// The chunk's group (from 0) of each of its columns.
std::vector<size_t> groupsOf(const SeriesInput& in, const Chunk& b) {
  std::vector<size_t> groupOf(b.c1 - b.c0);
  for (size_t g = b.g0, k = 0; g < b.g1; g++)
    for (int32_t n = 0; n < in.groupLens[g]; n++) groupOf[k++] = g - b.g0;
  return groupOf;
}

}  // namespace

void series(const SeriesInput& in, const SeriesOut& out) {
  const size_t T = in.rows, K = in.cols, G = in.groups;
  for (double* o : {out.assets, out.cash, out.value})
    if (o != nullptr) adviseHugePages(o, T * (o == out.assets ? K : G) * sizeof(double));
  std::vector<size_t> firstCol(G + 1, 0);
  for (size_t g = 0; g < G; g++) firstCol[g + 1] = firstCol[g] + size_t(in.groupLens[g]);
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
  const size_t bytes = T * ((out.assets ? K : 0) + (out.cash ? G : 0) + (out.value ? G : 0)) * sizeof(double);
  parallelForChunks(chunks.size(), 1, [&](size_t begin, size_t end) {
    for (size_t c = begin; c < end; c++) {
      const Chunk& b = chunks[c];
      thread_local std::vector<size_t> records;
      records.clear();
      for (size_t r = 0; r < in.orderCount; r++)
        if (in.col[r] >= double(b.c0) && in.col[r] < double(b.c1)) records.push_back(r);
      const ChunkOut to{
          out.assets ? out.assets + b.c0 : nullptr, out.cash ? out.cash + b.g0 : nullptr, out.value ? out.value + b.g0 : nullptr, K, G, G};
      chunkSeries(in, to, b, records, groupsOf(in, b), KERNELBUS_STREAM_STORES && bytes >= kStreamBytes);
    }
  });
}

void groupValues(const SeriesInput& in, size_t g0, size_t g1, size_t c0, size_t c1, const std::vector<size_t>& records, double* to) {
  const Chunk b{g0, g1, c0, c1};
  ChunkOut out;
  out.value = to;
  out.valueStride = g1 - g0;
  chunkSeries(in, out, b, records, groupsOf(in, b), false);
}

}  // namespace kernelbus::backtest
