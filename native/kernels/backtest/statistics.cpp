// stats(): vectorbt 1.1.0's Portfolio.stats() per value group. The twin of
// src/simulation/statistics.ts, operation for operation (docs/backtest.md defines each field).
#include <algorithm>
#include <cmath>
#include <vector>

#include "backtest.hpp"
#include "execute.hpp"
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

/// JavaScript's Math.max and Math.min of two (NaN from either), as the reference computes them.
double jsMax(double a, double b) { return std::isnan(a) || std::isnan(b) ? kNaN : std::max(a, b); }
double jsMin(double a, double b) { return std::isnan(a) || std::isnan(b) ? kNaN : std::min(a, b); }

/// vectorbt's get_return_nb, as selects (both sides computed: it vectorizes, the same bits).
inline double returnOf(double input, double output) {
  const double r = (output - input) / input;
  const double flat = output == 0 ? 0.0 : output > 0 ? kInf : output < 0 ? -kInf : kNaN;  // inf * sign(output)
  return input == 0 ? flat : input < 0 ? -r : r;
}

/// A column of T closes (`at(i)`) filled forward, then backward (vectorbt's get_filled_close), into `out`.
template <class At>
void fillClose(At at, size_t T, double* out) {
  double last = kNaN;
  for (size_t i = 0; i < T; i++) out[i] = last = std::isnan(at(i)) ? last : at(i);
  double next = kNaN;
  for (size_t i = T; i-- > 0;) out[i] = std::isnan(out[i]) ? next : (next = out[i]);
}

/// Columns [c0, c1) of the row-major T x ld `src`, column after column, into `dst` (T each): in tiles
/// of 8 rows, so each column's writes fill whole cache lines and a tile's reads are 8 runs of the row.
void transposeColumns(const double* src, size_t ld, size_t T, size_t c0, size_t c1, double* dst) {
  for (size_t i0 = 0; i0 < T; i0 += 8) {
    const size_t i1 = std::min(T, i0 + 8);
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

/// A row of the returns' sums of n value groups side by side: each group's return from `prev` (the
/// row before, or the initial cash) to `now`, counted and added where it is a number, in the row
/// order returnStats' reference adds them (each group's sums in its own order: the groups' adds overlap
/// in a vector, the same bits at every width; adding 0 where the return is NaN leaves a sum >= +0 or
/// any other sum as it is).
KERNELBUS_VECTOR_BODY void returnSums(size_t n, const double* prev, const double* now, double* count, double* sum) {
  for (size_t k = 0; k < n; k++) {
    const double r = returnOf(prev[k], now[k]);
    count[k] += r == r ? 1.0 : 0.0;
    sum[k] += r == r ? r : 0.0;
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

/// The Sharpe ratio of T returns of which `count` are numbers, their mean and squared deviations (the
/// sample standard deviation, ddof 1), at ann_factor = periodsPerYear.
double sharpeOf(size_t T, double count, double mean, double squares, double annFactor) {
  if (T < 2) return kNaN;
  const double std = count > 1 ? std::sqrt(squares / (count - 1)) : kNaN;
  return std == 0 ? kInf : (mean / std) * std::sqrt(annFactor);
}

/// The value's drawdowns and the returns' ratios but Sharpe's, in one pass over a value column (its
/// returns' count and mean given): vectorbt's get_drawdowns_nb reduced (the deepest drawdown, positive,
/// and the longest duration; `kDrawdowns`) and the Calmar, omega and Sortino ratios at ann_factor =
/// periodsPerYear (`kOthers`), each part's arithmetic the same either way (the other part's outputs
/// are then left to the caller to clear).
template <bool kDrawdowns, bool kOthers>
void returnStats(const double* value, size_t T, double init, double annFactor, double count, double mean, double* out) {
  // drawdowns
  double depth = kNaN, duration = kNaN;
  bool started = false;
  double peakIdx = -1;
  double peak = T > 0 ? value[0] : kNaN, valley = peak;
  // ratios
  double up = 0, down = 0, downSq = 0;
  double cum = 100, runMax = -kInf, maxDd = kInf, prod = 1;
  for (size_t i = 0; i < T; i++) {
    const double v = value[i];
    const double r = returnOf(i == 0 ? init : value[i - 1], v);
    if (kOthers && !std::isnan(r)) {
      const double d = std::min(r, 0.0);
      downSq += d * d;
      cum *= r + 1;
      prod *= r + 1;
    }
    if (kOthers) {
      runMax = jsMax(runMax, cum);
      maxDd = jsMin(maxDd, cum / runMax - 1);
      if (r > 0)
        up += r;
      else if (r < 0)
        down += r;
    }
    if (!kDrawdowns || std::isnan(v)) continue;
    bool store = false, active = false;
    if (std::isnan(peak) || v >= peak) {
      if (!started) {
        peak = v;
        peakIdx = double(i);
      } else {
        started = false;
        store = true;
      }
    } else if (!started) {
      started = true;
      valley = v;
    } else if (v < valley) {
      valley = v;
    }
    if (i == T - 1 && started) {
      started = false;
      store = true;
      active = true;
    }
    if (store) {
      const double dd = (valley - peak) / peak;
      const double length = double(i) - (peakIdx + 1) + (active ? 1 : 0);
      if (std::isnan(depth) || dd < depth) depth = dd;
      if (std::isnan(duration) || length > duration) duration = length;
      peakIdx = double(i);
      peak = valley = v;
    }
  }
  out[kMaxDrawdown] = std::isnan(depth) ? kNaN : -depth;
  out[kMaxDrawdownDuration] = duration;
  const double calmar = maxDd == 0 ? kNaN : (T == 0 ? kNaN : std::pow(prod, annFactor / double(T)) - 1) / std::fabs(maxDd);
  const double omega = -down == 0 ? kInf : up / -down;
  double sortino = kNaN;
  if (T >= 2) {
    const double downside = std::sqrt(count > 0 ? downSq / count : kNaN) * std::sqrt(annFactor);
    sortino = downside == 0 ? kInf : (mean * annFactor) / downside;
  }
  out[kCalmarRatio] = calmar;
  out[kOmegaRatio] = omega;
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
  const bool ratios = drawdowns || others || any({kSharpeRatio}), columns = drawdowns || others;
  const auto columnPass = drawdowns ? (others ? returnStats<true, true> : returnStats<true, false>) : returnStats<false, true>;
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
  const auto sums = simd::Copies<&returnSums>::run;
  const auto squares = simd::Copies<&returnSquares>::run;
  // chunks of groups: the returns' sums a row of the chunk's groups at a time; each value column copied
  // out of the rows first where a field reads it down the column (a column read down the rows of a
  // wide result is a page per value); the bounds decide only who computes which group
  const size_t chunk = std::max<size_t>(1, std::min<size_t>(64, G / (4 * threadCount())));
  parallelForChunks(G, chunk, [&](size_t begin, size_t end) {
    const size_t width = end - begin;
    std::vector<double> freeFlow(T), absValue(T), bench(T), close(T), colFree(T), assetFlow(T);
    // the blocks in memory each thread keeps between chunks and calls (a fresh megabyte a chunk was
    // a page fault every 4 KB)
    thread_local std::vector<double> block, closeBlock, rows;
    // the chunk's value rows: the result's (a row every G) or made from its columns' records
    const double* value = ratios && !made ? in.value + begin : nullptr;
    size_t stride = G;
    if (made) {
      std::vector<size_t> records;
      for (size_t col = firstCol[begin]; col < firstCol[end]; col++) records.insert(records.end(), byCol[col].begin(), byCol[col].end());
      rows.resize(T * width);
      groupValues(seriesIn, begin, end, firstCol[begin], firstCol[end], records, rows.data());
      value = rows.data();
      stride = width;
    }
    // each group's returns: their count and mean, then their squared deviations (Sharpe's)
    std::vector<double> count(width, 0.0), mean(width, 0.0), deviations(width, 0.0);
    if (ratios) {
      for (size_t i = 0; i < T; i++)
        sums(width, i == 0 ? in.initCash + begin : value + (i - 1) * stride, value + i * stride, count.data(), mean.data());
      for (size_t k = 0; k < width; k++) mean[k] = count[k] > 0 ? mean[k] / count[k] : kNaN;
      for (size_t i = 0; i < T; i++)
        squares(width, i == 0 ? in.initCash + begin : value + (i - 1) * stride, value + i * stride, mean.data(), deviations.data());
    }
    if (columns) {
      block.resize(T * width);
      transposeColumns(value, stride, T, 0, width, block.data());
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
      if (ratios) row[kSharpeRatio] = sharpeOf(T, count[g - begin], mean[g - begin], deviations[g - begin], periodsPerYear);
      if (columns) columnPass(block.data() + (g - begin) * T, T, init, periodsPerYear, count[g - begin], mean[g - begin], row);
      for (size_t f = 0; f < kFields; f++)
        if (!(want & (uint32_t{1} << f))) row[f] = kNaN;
    }
  });
}

}  // namespace kernelbus::backtest
