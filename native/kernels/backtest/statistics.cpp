// stats(): vectorbt 1.1.0's Portfolio.stats() per value group. The twin of
// src/simulation/statistics.ts, operation for operation (docs/backtest.md defines each field).
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

enum Field : size_t {
  kStartValue,
  kEndValue,
  kTotalReturn,
  kBenchmarkReturn,
  kMaxGrossExposure,
  kTotalFeesPaid,
  kMaxDrawdown,
  kMaxDrawdownDuration,
  kTotalTrades,
  kTotalClosedTrades,
  kTotalOpenTrades,
  kOpenTradePnl,
  kWinRate,
  kBestTrade,
  kWorstTrade,
  kAvgWinningTrade,
  kAvgLosingTrade,
  kAvgWinningTradeDuration,
  kAvgLosingTradeDuration,
  kProfitFactor,
  kExpectancy,
  kSharpeRatio,
  kCalmarRatio,
  kOmegaRatio,
  kSortinoRatio,
  kFields
};
static_assert(kFields == kStatFields, "the stat fields, in STAT_FIELDS' order");

/// numpy's nanmean / nansum over the values of `idx` in `values`.
double nanMean(const std::vector<size_t>& idx, const double* values) {
  double s = 0;
  size_t n = 0;
  for (const size_t r : idx) {
    if (std::isnan(values[r])) continue;
    s += values[r];
    n++;
  }
  return n ? s / double(n) : kNaN;
}
double nanSum(const std::vector<size_t>& idx, const double* values) {
  double s = 0;
  for (const size_t r : idx)
    if (!std::isnan(values[r])) s += values[r];
  return s;
}
double extreme(const std::vector<size_t>& idx, const double* values, double sign) {
  double best = kNaN;
  for (const size_t r : idx) {
    const double x = values[r];
    if (!std::isnan(x) && (std::isnan(best) || sign * x > sign * best)) best = x;
  }
  return best;
}

/// JavaScript's Math.max and Math.min of two (NaN from either) as the reference computes them, std::max's
/// and std::min's comparisons as selects.
inline double jsMax(double a, double b) {
  const double m = a < b ? b : a;
  return (a != a) | (b != b) ? kNaN : m;
}
inline double jsMin(double a, double b) {
  const double m = b < a ? b : a;
  return (a != a) | (b != b) ? kNaN : m;
}

/// vectorbt's get_return_nb, as selects (both sides computed: it vectorizes, the same bits).
inline double returnOf(double input, double output) {
  double flat = output > 0 ? kInf : -kInf;  // inf * sign(output)
  flat = output == 0 ? 0.0 : flat;
  flat = output != output ? kNaN : flat;
  const double r = (output - input) / input;
  const double signed_ = input < 0 ? -r : r;
  return input == 0 ? flat : signed_;
}

/// A column of T closes (`at(i)`) filled forward, then backward (vectorbt's get_filled_close), into `out`:
/// the backward fill reaches only the NaNs before the first number (the forward fill leaves no other).
template <class At>
void fillClose(At at, size_t T, double* out) {
  size_t first = 0;
  while (first < T && std::isnan(at(first))) first++;
  double last = first < T ? at(first) : kNaN;
  std::fill(out, out + first, last);
  for (size_t i = first; i < T; i++) out[i] = last = std::isnan(at(i)) ? last : at(i);
}

/// Columns [c0, c1) of the row-major T x ld `src`, column after column, into `dst` (T each): in tiles
/// of 8 rows, so each column's writes fill whole cache lines and a tile's reads are 8 runs of the row.
void transposeColumns(const double* src, size_t ld, size_t T, size_t c0, size_t c1, double* dst) {
  for (size_t i0 = 0; i0 < T; i0 += 8) {
    const size_t i1 = std::min(T, i0 + 8);
    for (size_t i = i0 + kRowsAhead; i < std::min(T, i1 + kRowsAhead); i++) prefetchSpan(src + i * ld + c0, (c1 - c0) * sizeof(double));
    for (size_t c = c0; c < c1; c++) {
      double* to = dst + (c - c0) * T;
      for (size_t i = i0; i < i1; i++) to[i] = src[i * ld + c];
    }
  }
}

struct ColumnFlows {
  double profit = 0, fees = 0;
};

/// A column's total profit at its last filled close and fees; its free-cash flow and |asset value|
/// added to the group's (`freeFlow`, `absValue`; written, not added to, for the group's first column).
/// `colFree` and `assetFlow`: T doubles of scratch, zero on entry and on return. Without `exposure`,
/// freeFlow and absValue are left alone.
ColumnFlows columnFlows(const StatsInput& in, const std::vector<size_t>& records, const double* close, bool first, bool exposure,
                        double* freeFlow, double* absValue, std::vector<double>& colFree, std::vector<double>& assetFlow) {
  const size_t T = in.rows;
  double assets = 0, cash = 0, fees = 0, position = 0, debt = 0;
  for (const size_t r : records) {
    const bool buy = in.side[r] == 0;
    const double size = buy ? in.size[r] : -in.size[r];
    const double price = in.price[r];
    assets = add(assets, size);
    cash = add(cash, buy ? -(in.size[r] * price + in.fees[r]) : in.size[r] * price - in.fees[r]);
    fees += in.fees[r];
    const size_t i = size_t(in.idx[r]);
    const double next = add(position, size);
    const double finalCash = -size * price - in.fees[r];
    double diff;
    if (isClose(size, 0)) {
      diff = 0;
    } else if (size > 0) {
      if (position < 0) {
        const double shortSize = next < 0 ? std::fabs(size) : std::fabs(position);
        const double debtDiff = shortSize * (debt / std::fabs(position));
        debt = add(debt, -debtDiff);
        diff = add(2 * debtDiff, finalCash);
      } else {
        diff = finalCash;
      }
    } else if (next < 0) {
      const double shortValue = (position < 0 ? std::fabs(size) : std::fabs(next)) * price;
      debt = debt + shortValue;
      diff = add(finalCash, -2 * shortValue);
    } else {
      diff = finalCash;
    }
    colFree[i] = add(colFree[i], diff);
    assetFlow[i] = add(assetFlow[i], size);
    position = next;
  }
  ColumnFlows out;
  out.profit = records.empty() ? 0.0 : cash + assets * close[T - 1];
  out.fees = fees;
  double held = 0;
  if (!exposure) {
    // the flows by bar are for the exposure only
  } else if (first) {
    for (size_t i = 0; i < T; i++) {
      held = add(held, assetFlow[i]);
      freeFlow[i] = colFree[i];
      absValue[i] = held == 0 ? 0.0 : std::fabs(close[i] * held);
    }
  } else {
    for (size_t i = 0; i < T; i++) {
      held = add(held, assetFlow[i]);
      freeFlow[i] += colFree[i];
      absValue[i] += held == 0 ? 0.0 : std::fabs(close[i] * held);
    }
  }
  for (const size_t r : records) colFree[size_t(in.idx[r])] = assetFlow[size_t(in.idx[r])] = 0;
  return out;
}

double nanMeanOf(const std::vector<double>& xs) {
  double s = 0;
  size_t n = 0;
  for (const double x : xs) {
    if (std::isnan(x)) continue;
    n++;
    s += x;
  }
  return n ? s / double(n) : kNaN;
}

/// The groups of a chunk side by side (the most stats() puts in one).
constexpr size_t kLanes = 64;

/// Each group's running state over its value and returns, a lane a group: the returns' count and sum
/// (Sharpe's and Sortino's mean), vectorbt's get_drawdowns_nb reduced (the deepest drawdown and the
/// longest duration so far, the one in progress: started, its peak, peak row and valley) and the sums
/// of the other ratios (omega's up and down, Sortino's downside squares, Calmar's compounded and
/// running maximum, its deepest fall and product).
struct ReturnLanes {
  double count[kLanes], sum[kLanes];
  double depth[kLanes], duration[kLanes], started[kLanes], peakIdx[kLanes], peak[kLanes], valley[kLanes];
  double up[kLanes], down[kLanes], downSq[kLanes], cum[kLanes], runMax[kLanes], maxDd[kLanes], prod[kLanes];

  /// The state before row 0 of n groups whose first values are `first`.
  void reset(size_t n, const double* first) {
    for (size_t k = 0; k < n; k++) {
      count[k] = sum[k] = 0;
      depth[k] = duration[k] = kNaN;
      started[k] = 0;
      peakIdx[k] = -1;
      peak[k] = valley[k] = first[k];
      up[k] = down[k] = downSq[k] = 0;
      cum[k] = 100;
      runMax[k] = -kInf;
      maxDd[k] = kInf;
      prod[k] = 1;
    }
  }
};

/// Row `i` of n groups (`last`: 1 on the last row): each group's return from `prev` (the row before,
/// or the initial cash) to `now`, counted and added where it is a number, and where asked for the
/// drawdowns (`kDrawdowns`) and the other ratios' sums (`kOthers`) carried on. The reference's per-group
/// loop (src/simulation/statistics.ts) as selects: each group's operations in its own order, the
/// groups' side by side in a vector, the same bits at every width (adding 0 where a return is NaN
/// leaves a sum >= +0, and every other sum, as it is).
template <bool kDrawdowns, bool kOthers>
KERNELBUS_VECTOR_BODY void returnRow(size_t n, const double* prev, const double* now, double i, double last, ReturnLanes* s) {
  for (size_t k = 0; k < n; k++) {
    const double v = now[k];
    const double r = returnOf(prev[k], v);
    const bool number = r == r;
    s->count[k] += number ? 1.0 : 0.0;
    s->sum[k] += number ? r : 0.0;
    if (kOthers) {
      const double d = 0.0 < r ? 0.0 : r;  // std::min(r, 0.0)
      const double downSq = s->downSq[k] + d * d, grown = s->cum[k] * (r + 1), prod = s->prod[k] * (r + 1);
      s->downSq[k] = number ? downSq : s->downSq[k];
      const double cum = number ? grown : s->cum[k];
      s->cum[k] = cum;
      s->prod[k] = number ? prod : s->prod[k];
      const double runMax = jsMax(s->runMax[k], cum);
      s->runMax[k] = runMax;
      s->maxDd[k] = jsMin(s->maxDd[k], cum / runMax - 1);
      const double up = s->up[k] + r, down = s->down[k] + r;
      s->up[k] = r > 0 ? up : s->up[k];
      s->down[k] = r < 0 ? down : s->down[k];
    }
    if (kDrawdowns) {
      // a NaN value leaves the drawdowns as they are (bitwise & and |: no branch)
      const bool valid = v == v, started = s->started[k] != 0;
      const double peak0 = s->peak[k], valley0 = s->valley[k];
      const bool rising = (peak0 != peak0) | (v >= peak0);
      const bool newPeak = valid & rising & !started, begins = valid & !rising & !started;
      const bool lower = valid & !rising & started & (v < valley0);
      // the drawdown in progress ends at a new high, or is cut at the last row (active)
      const bool active = valid & (last != 0) & (begins | (started & !rising));
      const bool store = (valid & rising & started) | active;
      const double peak = newPeak ? v : peak0, peakIdx = newPeak ? i : s->peakIdx[k];
      const double valley = begins | lower ? v : valley0;
      const double dd = (valley - peak) / peak;
      const double length = i - (peakIdx + 1) + (active ? 1.0 : 0.0);
      const double depth = s->depth[k], duration = s->duration[k];
      s->depth[k] = store & ((depth != depth) | (dd < depth)) ? dd : depth;
      s->duration[k] = store & ((duration != duration) | (length > duration)) ? length : duration;
      s->peakIdx[k] = store ? i : peakIdx;
      s->peak[k] = store ? v : peak;
      s->valley[k] = store ? v : valley;
      const double startedNow = begins ? 1.0 : s->started[k];
      s->started[k] = store ? 0.0 : startedNow;
    }
  }
}

/// The same row's squared deviations from each group's mean, added where the return is a number.
KERNELBUS_VECTOR_BODY void returnSquares(size_t n, const double* prev, const double* now, const double* mean, double* squares) {
  for (size_t k = 0; k < n; k++) {
    const double r = returnOf(prev[k], now[k]);
    const double d = r - mean[k];
    squares[k] += r == r ? d * d : 0.0;
  }
}

using ReturnRow = void (*)(size_t, const double*, const double*, double, double, ReturnLanes*);

/// returnRow's copies for what the fields read.
ReturnRow returnRowFor(bool drawdowns, bool others) {
  if (drawdowns) return others ? simd::Copies<&returnRow<true, true>>::run : simd::Copies<&returnRow<true, false>>::run;
  return others ? simd::Copies<&returnRow<false, true>>::run : simd::Copies<&returnRow<false, false>>::run;
}

/// Group k's ratios and drawdowns from its lanes (its returns' mean and squared deviations from it given)
/// into its row of stats `out`, at ann_factor = periodsPerYear over T returns.
void returnStats(const ReturnLanes& s, size_t k, double mean, double squares, size_t T, double annFactor, double* out) {
  const double count = s.count[k];
  out[kMaxDrawdown] = std::isnan(s.depth[k]) ? kNaN : -s.depth[k];
  out[kMaxDrawdownDuration] = s.duration[k];
  double sharpe = kNaN, sortino = kNaN;
  if (T >= 2) {
    const double std = count > 1 ? std::sqrt(squares / (count - 1)) : kNaN;
    sharpe = std == 0 ? kInf : (mean / std) * std::sqrt(annFactor);
    const double downside = std::sqrt(count > 0 ? s.downSq[k] / count : kNaN) * std::sqrt(annFactor);
    sortino = downside == 0 ? kInf : (mean * annFactor) / downside;
  }
  const double maxDd = s.maxDd[k];
  out[kSharpeRatio] = sharpe;
  out[kCalmarRatio] = maxDd == 0 ? kNaN : (T == 0 ? kNaN : std::pow(s.prod[k], annFactor / double(T)) - 1) / std::fabs(maxDd);
  out[kOmegaRatio] = -s.down[k] == 0 ? kInf : s.up[k] / -s.down[k];
  out[kSortinoRatio] = sortino;
}

}  // namespace

void stats(const StatsInput& in, double periodsPerYear, double* out, uint32_t want) {
  const size_t T = in.rows, K = in.cols, G = in.groups;
  // the work each field needs: the orders' flows, the exposure, the benchmark, the trades, the returns
  const auto any = [want](std::initializer_list<Field> fields) {
    for (const Field f : fields)
      if (want & (uint32_t{1} << f)) return true;
    return false;
  };
  const bool exposure = any({kMaxGrossExposure});
  const bool flows = exposure || any({kEndValue, kTotalReturn, kTotalFeesPaid});
  const bool benchmark = any({kBenchmarkReturn});
  const bool trades =
      any({kTotalTrades, kTotalClosedTrades, kTotalOpenTrades, kOpenTradePnl, kWinRate, kBestTrade, kWorstTrade, kAvgWinningTrade,
           kAvgLosingTrade, kAvgWinningTradeDuration, kAvgLosingTradeDuration, kProfitFactor, kExpectancy});
  const bool drawdowns = any({kMaxDrawdown, kMaxDrawdownDuration}), others = any({kCalmarRatio, kOmegaRatio, kSortinoRatio});
  const bool ratios = drawdowns || others || any({kSharpeRatio});
  std::vector<std::vector<size_t>> byCol(K), tradesByCol(K);
  for (size_t r = 0; r < in.orderCount; r++) byCol[size_t(in.col[r])].push_back(r);
  for (size_t r = 0; r < in.tradeCount; r++) tradesByCol[size_t(in.tradeCol[r])].push_back(r);
  std::vector<size_t> firstCol(G + 1, 0);
  for (size_t g = 0; g < G; g++) firstCol[g + 1] = firstCol[g] + size_t(in.groupLens[g]);
  // the value made from the records a chunk at a time where the result's is not given (series()'
  // bits, the T x G series never in memory)
  const bool made = ratios && in.valueLength == 0;
  const SeriesInput seriesIn{T,      K,      G,       in.close, in.groupLens, in.initCash, in.orderCount,
                             in.col, in.idx, in.size, in.price, in.fees,      in.side};
  const ReturnRow rowPass = returnRowFor(drawdowns, others);
  const auto squares = simd::Copies<&returnSquares>::run;
  // chunks of groups, their returns' statistics a row of the chunk's groups at a time; the bounds
  // decide only who computes which group
  const size_t chunk = std::max<size_t>(1, std::min<size_t>(kLanes, G / (4 * threadCount())));
  parallelForChunks(G, chunk, [&](size_t begin, size_t end) {
    const size_t width = end - begin;
    std::vector<double> freeFlow(T), absValue(T), bench(T), close(T), colFree(T), assetFlow(T);
    // the blocks in memory each thread keeps between chunks and calls (a fresh megabyte a chunk was
    // a page fault every 4 KB)
    thread_local std::vector<double> closeBlock, rows;
    // the chunk's value rows: the result's (a row every G) or made from its columns' records
    const double* value = ratios && !made ? in.value + begin : nullptr;
    size_t stride = G;
    if (made) {
      thread_local std::vector<size_t> records;
      records.clear();
      for (size_t col = firstCol[begin]; col < firstCol[end]; col++) records.insert(records.end(), byCol[col].begin(), byCol[col].end());
      rows.resize(T * width);
      groupValues(seriesIn, begin, end, firstCol[begin], firstCol[end], records, rows.data());
      value = rows.data();
      stride = width;
    }
    // each group's returns, drawdowns and sums, then the squared deviations from the mean (Sharpe's)
    ReturnLanes lanes;
    std::vector<double> mean(width), deviations(width, 0.0);
    if (ratios) {
      lanes.reset(width, value);
      for (size_t i = 0; i < T; i++) {
        if (i + kRowsAhead < T) prefetchSpan(value + (i + kRowsAhead) * stride, width * sizeof(double));
        rowPass(width, i == 0 ? in.initCash + begin : value + (i - 1) * stride, value + i * stride, double(i), i == T - 1 ? 1.0 : 0.0,
                &lanes);
      }
      for (size_t k = 0; k < width; k++) mean[k] = lanes.count[k] > 0 ? lanes.sum[k] / lanes.count[k] : kNaN;
      for (size_t i = 0; i < T; i++) {
        if (i + kRowsAhead < T) prefetchSpan(value + (i + kRowsAhead) * stride, width * sizeof(double));
        squares(width, i == 0 ? in.initCash + begin : value + (i - 1) * stride, value + i * stride, mean.data(), deviations.data());
      }
    }
    // a close panel: the chunk's columns copied out the same way
    const bool panel = (flows || benchmark) && in.close.rows == T && in.close.cols == K && K > 1;
    if (panel) {
      closeBlock.resize(T * (firstCol[end] - firstCol[begin]));
      transposeColumns(in.close.data, K, T, firstCol[begin], firstCol[end], closeBlock.data());
    }
    std::vector<size_t> groupTrades, closed, open, winning, losing;
    // one close column under every column (a grid): filled once, and the benchmark of a column of
    // its own the same for every group of the same initial cash
    const bool broadcast = in.close.cols == 1;
    if (broadcast) fillClose([&](size_t i) { return in.close.at(i, 0); }, T, close.data());
    double cachedInit = kNaN, cachedBench = kNaN;
    for (size_t g = begin; g < end; g++) {
      double* row = out + g * kStatFields;
      const size_t from = firstCol[g], to = firstCol[g + 1];
      const double init = in.initCash[g];
      double profit = 0, fees = 0;
      groupTrades.clear();
      const size_t n = to - from;
      const bool cached = !benchmark || (broadcast && n == 1 && init == cachedInit);
      if (!cached) std::fill(bench.begin(), bench.end(), 0.0);
      for (size_t col = from; col < to; col++) {
        if (!flows && !benchmark) {
          // the trades' records only
        } else if (panel) {
          const double* column = closeBlock.data() + (col - firstCol[begin]) * T;
          fillClose([&](size_t i) { return column[i]; }, T, close.data());
        } else if (!broadcast) {
          fillClose([&](size_t i) { return in.close.at(i, col); }, T, close.data());
        }
        if (flows) {
          const ColumnFlows f =
              columnFlows(in, byCol[col], close.data(), col == from, exposure, freeFlow.data(), absValue.data(), colFree, assetFlow);
          profit += f.profit;
          fees += f.fees;
        }
        if (!cached)
          for (size_t i = 0; i < T; i++) bench[i] += close[i] / close[0];
        if (trades) groupTrades.insert(groupTrades.end(), tradesByCol[col].begin(), tradesByCol[col].end());
      }
      double maxExposure = kNaN, free = init;
      for (size_t i = 0; exposure && i < T; i++) {
        free = add(free, freeFlow[i]);
        const double denom = add(absValue[i], free);
        const double e = denom == 0 ? 0.0 : absValue[i] / denom;
        if (std::isnan(maxExposure) || e > maxExposure) maxExposure = e;
      }
      double benchReturn = 1;
      if (!benchmark) {
        benchReturn = kNaN;
      } else if (cached) {
        benchReturn = cachedBench;
      } else {
        double prev = init;
        for (size_t i = 0; i < T; i++) {
          const double v = n == 1 ? bench[i] * init : (init / double(n)) * bench[i];
          const double r = returnOf(prev, v);
          if (!std::isnan(r)) benchReturn *= r + 1;
          prev = v;
        }
        if (broadcast && n == 1) {
          cachedInit = init;
          cachedBench = benchReturn;
        }
      }
      closed.clear();
      open.clear();
      winning.clear();
      losing.clear();
      for (const size_t r : groupTrades) (in.status[r] == 1 ? closed : open).push_back(r);
      for (const size_t r : closed) {
        if (in.pnl[r] > 0)
          winning.push_back(r);
        else if (in.pnl[r] < 0)
          losing.push_back(r);
      }
      const bool has = !closed.empty();
      const double winRate = double(winning.size()) / double(closed.size());
      const double totalWin = has ? nanSum(winning, in.pnl) : kNaN;
      const double totalLoss = has ? nanSum(losing, in.pnl) : kNaN;
      const double avgWin = has ? (winning.empty() ? 0.0 : nanMean(winning, in.pnl)) : kNaN;
      const double avgLoss = has ? (losing.empty() ? 0.0 : nanMean(losing, in.pnl)) : kNaN;
      std::vector<double> durations;
      const auto meanDuration = [&](const std::vector<size_t>& idx) {
        durations.clear();
        for (const size_t r : idx) durations.push_back(in.exitIdx[r] - in.entryIdx[r]);
        return nanMeanOf(durations);
      };
      row[kStartValue] = init;
      row[kEndValue] = profit + init;
      row[kTotalReturn] = profit / init;
      row[kBenchmarkReturn] = benchReturn - 1;
      row[kMaxGrossExposure] = maxExposure;
      row[kTotalFeesPaid] = fees;
      row[kTotalTrades] = double(groupTrades.size());
      row[kTotalClosedTrades] = double(closed.size());
      row[kTotalOpenTrades] = double(open.size());
      row[kOpenTradePnl] = nanSum(open, in.pnl);
      row[kWinRate] = winRate;
      row[kBestTrade] = extreme(closed, in.ret, 1);
      row[kWorstTrade] = extreme(closed, in.ret, -1);
      row[kAvgWinningTrade] = nanMean(winning, in.ret);
      row[kAvgLosingTrade] = nanMean(losing, in.ret);
      row[kAvgWinningTradeDuration] = meanDuration(winning);
      row[kAvgLosingTradeDuration] = meanDuration(losing);
      row[kProfitFactor] = totalWin / std::fabs(totalLoss);
      row[kExpectancy] = winRate * avgWin - (1 - winRate) * std::fabs(avgLoss);
      if (ratios) returnStats(lanes, g - begin, mean[g - begin], deviations[g - begin], T, periodsPerYear, row);
      for (size_t f = 0; f < kFields; f++)
        if (!(want & (uint32_t{1} << f))) row[f] = kNaN;
    }
  });
}

}  // namespace kernelbus::backtest
