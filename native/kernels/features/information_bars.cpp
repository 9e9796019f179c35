// Imbalance and run bars (features.hpp): the reference's src/backends/reference/features/
// information-bars.ts, operation for operation (mlfinlab's 2020 BaseImbalanceBars and BaseRunBars).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "ewma.hpp"
#include "features.hpp"
#include "simd.hpp"

namespace kernelbus::features {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A trade's imbalance theta: its sign b (by 0: tick), b x volume (1) or b x volume x price (2).
double imbalanceOf(int by, int sign, double p, double v) {
  const double b = sign;
  return by == 0 ? b : by == 1 ? b * v : b * v * p;
}

/// Python's max(a, b): a unless b > a (NaN in a wins).
double pyMax(double a, double b) { return b > a ? b : a; }

/// What both kinds of bars keep about the bars closed: their tick counts and the expected ticks.
class ExpectedTicks {
 public:
  ExpectedTicks(int kind, size_t numPrevBars, double init, double lo, double hi)
      : kind_(kind), numPrevBars_(numPrevBars), lo_(lo), hi_(hi), value(init) {}

  /// A bar of `ticks` trades closed: 'ema' takes the EWMA of the last numPrevBars counts, clipped; 'const' keeps it.
  void closed(double ticks) {
    ticks_.push_back(ticks);
    if (kind_ != 0) return;
    const size_t n = std::min(ticks_.size(), numPrevBars_);
    const double x = ewma_.last(ticks_, n, numPrevBars_);
    // min(max(x, lo), hi), Python's
    const double atLeast = lo_ > x ? lo_ : x;
    value = hi_ < atLeast ? hi_ : atLeast;
  }

 private:
  int kind_;
  size_t numPrevBars_;
  double lo_, hi_;
  std::vector<double> ticks_;
  Ewma ewma_;

 public:
  double value;
};

/// A history of imbalances of which only the last `window` are ever read (the EWMA's), in a buffer of
/// 2 window + 1 values: when it fills, its last window values move to the front. `count` is every value
/// appended. Append without a branch on the value: write() puts it past the end, keep() counts it in.
class History {
 public:
  explicit History(size_t window, size_t n) : window_(std::min(window, n)), buffer_(new double[2 * window_ + 1]) {}
  void write(double x) { buffer_[end_] = x; }
  void keep(bool kept) {
    end_ += kept;
    count += kept;
    if (end_ == 2 * window_ + 1) {
      std::memmove(buffer_.get(), buffer_.get() + end_ - window_, window_ * sizeof(double));
      end_ = window_;
    }
  }
  void push(double x) {
    write(x);
    keep(true);
  }
  /// Past the last value: the last min(count, window) values lie before it.
  const double* end() const { return buffer_.get() + end_; }
  size_t count = 0;

 private:
  size_t window_;
  std::unique_ptr<double[]> buffer_;
  size_t end_ = 0;
};

/// The EWMA of the last min(count, window) of the `count` values before `end`, span that count; NaN
/// while fewer than `expNumTicks` when `warmUp` (mlfinlab's _get_expected_imbalance).
double expectedImbalance(Ewma& ewma, const double* end, size_t count, size_t window, double expNumTicks, bool warmUp) {
  if ((warmUp && static_cast<double>(count) < expNumTicks) || count == 0) return kNaN;
  const size_t m = std::min(count, window);
  return ewma.last(end, m, m);
}
double expectedImbalance(Ewma& ewma, const History& history, size_t window, double expNumTicks, bool warmUp) {
  return expectedImbalance(ewma, history.end(), history.count, window, expNumTicks, warmUp);
}

/// mlfinlab's BaseImbalanceBars._extract_bars. `blocks` (simd::run's AVX2 and AVX-512 copies): 4 trades
/// at a time in lanes (BarBuilder::lanes(), add4()) once the expectation no longer warms up, where they
/// are valid with prices > 0 and no bar closes at any of them (the running thetas checked in order);
/// the imbalances are the same products, the sums the same adds in the same order.
KERNELBUS_VECTOR_BODY Status imbalanceBody(Doubles ts, Doubles price, Doubles volume, size_t n, const ImbalanceBarsParams& p, bool blocks,
                                           std::vector<BarRow>& out) {
  BarBuilder bars;
  ExpectedTicks expected(p.kind, p.numPrevBars, p.expNumTicksInit, p.minExpNumTicks, p.maxExpNumTicks);
  Ewma ewma;
  History history(p.expectedImbalanceWindow, n);
  double theta = 0;
  double expImbalance = kNaN;
  for (size_t i = 0; i < n;) {
#if defined(__GNUC__)
    if (blocks && i + 4 <= n && !std::isnan(bars.open) && !(bars.rows.empty() && std::isnan(expImbalance))) {
      const Lanes4 l = bars.lanes(ts, price, volume, i);
      if (l.ok) {
        const D4 b = __builtin_convertvector(l.s, D4);
        const D4 imbalance = p.by == 0 ? b : p.by == 1 ? b * l.v : b * l.v * l.p;
        const double threshold = expected.value * std::fabs(expImbalance);
        double next = theta;
        bool closes = false;
        for (int k = 0; k < 4; k++) {
          next += imbalance[k];
          closes |= std::fabs(next) > threshold;
        }
        if (!closes) {
          bars.add4(l);
          for (int k = 0; k < 4; k++) history.push(imbalance[k]);
          theta = next;
          i += 4;
          continue;
        }
      }
    }
#endif
    int sign = 0;
    if (Status s = bars.add(i, ts[i], price[i], volume[i], sign); !s.ok()) return s;
    const double imbalance = imbalanceOf(p.by, sign, price[i], volume[i]);
    history.push(imbalance);
    theta += imbalance;
    // until the first bar, recomputed while NaN (the history shorter than the expected ticks)
    if (bars.rows.empty() && std::isnan(expImbalance)) {
      expImbalance = expectedImbalance(ewma, history, p.expectedImbalanceWindow, expected.value, true);
    }
    if (std::fabs(theta) > expected.value * std::fabs(expImbalance)) {
      const double ticks = bars.ticks;
      bars.close(i, ts[i], price[i]);
      expected.closed(ticks);
      expImbalance = expectedImbalance(ewma, history, p.expectedImbalanceWindow, expected.value, true);
      theta = 0;
    }
    i++;
  }
  out = std::move(bars.rows);
  return Status{};
}

}  // namespace

Status imbalanceBars(Doubles ts, Doubles price, Doubles volume, size_t n, const ImbalanceBarsParams& p, std::vector<BarRow>& out) {
  return simd::run<imbalanceBody>(ts, price, volume, n, p, simd::level() != simd::Level::baseline, out);
}

Status runBars(Doubles ts, Doubles price, Doubles volume, size_t n, const RunBarsParams& p, std::vector<BarRow>& out) {
  BarBuilder bars;
  ExpectedTicks expected(p.kind, p.numPrevBars, p.expNumTicksInit, p.minExpNumTicks, p.maxExpNumTicks);
  Ewma ewmaBuy, ewmaSell, ewmaShare;
  // the buy and sell histories, appended without a branch: each trade's value is written past the end
  // of both and kept by the one whose count it moves (a random tape's signs would mispredict a branch)
  History buys(p.expectedImbalanceWindow, n), sells(p.expectedImbalanceWindow, n);
  std::vector<double> buyShares;
  double thetaBuy = 0, thetaSell = 0, buyTicks = 0;
  double expBuy = kNaN, expSell = kNaN, buyShare = kNaN;
  const size_t window = p.expectedImbalanceWindow;
  for (size_t i = 0; i < n; i++) {
    int sign = 0;
    if (Status s = bars.add(i, ts[i], price[i], volume[i], sign); !s.ok()) return s;
    const double imbalance = imbalanceOf(p.by, sign, price[i], volume[i]);
    const bool buy = imbalance > 0, sell = imbalance < 0;
    const double size = std::fabs(imbalance);
    buys.write(imbalance);
    sells.write(size);
    buys.keep(buy);
    sells.keep(sell);
    // the same sums as adding only a buy's imbalance, a sell's size (x + 0 is x, and no sum is -0)
    thetaBuy += maskedUnless(buy, imbalance);
    thetaSell += maskedUnless(sell, size);
    buyTicks += buy;
    // until the first bar, while either expectation is NaN: both recomputed, and once both are known
    // the buy proportion of the bar so far
    if (bars.rows.empty() && (std::isnan(expBuy) || std::isnan(expSell))) {
      expBuy = expectedImbalance(ewmaBuy, buys, window, expected.value, true);
      expSell = expectedImbalance(ewmaSell, sells, window, expected.value, true);
      if (!std::isnan(expBuy) && !std::isnan(expSell)) buyShare = buyTicks / bars.ticks;
    }
    const double maxProportion = pyMax(expBuy * buyShare, expSell * (1 - buyShare));
    const double maxTheta = pyMax(thetaBuy, thetaSell);
    if (maxTheta > expected.value * maxProportion && !std::isnan(maxProportion)) {
      const double ticks = bars.ticks;
      bars.close(i, ts[i], price[i]);
      buyShares.push_back(buyTicks / ticks);
      expected.closed(ticks);
      buyShare = ewmaShare.last(buyShares, std::min(buyShares.size(), p.numPrevBars), p.numPrevBars);
      expBuy = expectedImbalance(ewmaBuy, buys, window, expected.value, false);
      expSell = expectedImbalance(ewmaSell, sells, window, expected.value, false);
      thetaBuy = 0;
      thetaSell = 0;
      buyTicks = 0;
    }
  }
  out = std::move(bars.rows);
  return Status{};
}

}  // namespace kernelbus::features
