// Imbalance and run bars (features.hpp): the reference's src/backends/reference/features/
// information-bars.ts, operation for operation (mlfinlab's 2020 BaseImbalanceBars and BaseRunBars).
#include <algorithm>
#include <cfloat>
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

/// A history of imbalances of which only the last 2 `window` are ever read (the EWMA's window, and the
/// values Ewma::near() slides out of it), appended in place with room for 8 past the end at all times;
/// when that room runs out, those values move to the front. `count` is every value appended. pin():
/// the last m values stay readable at pinnedEnd() until unpin() (copied aside if a move would drop them).
class History {
 public:
  explicit History(size_t window, size_t n)
      : window_(std::min(window, n)), limit_(2 * window_ + std::max<size_t>(4 * window_, 16384)), buffer_(new double[limit_ + kRoom]) {}
  /// Appends without a branch on the value: write() puts it past the end, keep() counts it in.
  void write(double x) { buffer_[end_] = x; }
  void keep(bool kept) {
    end_ += kept;
    count += kept;
    if (end_ > limit_) compact();
  }
  void push(double x) {
    write(x);
    keep(true);
  }
  /// Appends in place: values written from tail() on, before room() (8 past the end at least), then
  /// appended(past the last written).
  double* tail() { return buffer_.get() + end_; }
  const double* room() const { return buffer_.get() + limit_ + kRoom; }
  void appended(const double* past) {
    const size_t k = static_cast<size_t>(past - tail());
    end_ += k;
    count += k;
    if (end_ > limit_) compact();
  }
  /// Past the last value: the last min(count, window) values lie before it.
  const double* end() const { return buffer_.get() + end_; }

  void pin(size_t m) {
    pinned_ = m;
    pinnedAt_ = end_;
    aside_.clear();
  }
  const double* pinnedEnd() const { return aside_.empty() ? buffer_.get() + pinnedAt_ : aside_.data() + pinned_; }
  void unpin() { pinned_ = 0; }

  size_t count = 0;

 private:
  static constexpr size_t kRoom = 16;
  void compact() {
    if (pinned_ != 0 && aside_.empty()) aside_.assign(buffer_.get() + pinnedAt_ - pinned_, buffer_.get() + pinnedAt_);
    std::memmove(buffer_.get(), buffer_.get() + end_ - 2 * window_, 2 * window_ * sizeof(double));
    end_ = 2 * window_;
  }

  size_t window_;
  size_t limit_;  // the end past which the values move
  std::unique_ptr<double[]> buffer_;
  size_t end_ = 0;
  size_t pinned_ = 0, pinnedAt_ = 0;
  std::vector<double> aside_;
};

/// mlfinlab's _get_expected_imbalance: the EWMA of a history's last m = min(count, window) values, span
/// m; NaN while fewer than `expNumTicks` when `warmUp`. Computed lazily: Ewma::near()'s value and band
/// first (no serial chain of multiply-adds), the m values it read pinned in the history; exact()
/// computes mlfinlab's value (Ewma::last) from them. The bars call it only where a comparison with the
/// near value is within the band, a tie the band cannot settle (settled()): every comparison has the
/// exact value's outcome, so the bars are the same, bit for bit.
class LazyExpectation {
 public:
  double value = kNaN;
  double band = 0;  // |value - the exact value| <= band; 0 once exact

  void set(Ewma& ewma, History& history, size_t window, double expNumTicks, bool warmUp) {
    band = 0;
    history.unpin();
    const size_t count = history.count;
    if ((warmUp && static_cast<double>(count) < expNumTicks) || count == 0) {
      value = kNaN;
      return;
    }
    m_ = std::min(count, window);
    if (m_ >= kNear) {
      value = ewma.near(history.end(), m_, m_, count, band);
      if (std::isfinite(value) && band < INFINITY) {  // a NaN band fails too
        ewma_ = &ewma;
        history_ = &history;
        history.pin(m_);
        return;
      }
      band = 0;
    }
    value = ewma.last(history.end(), m_, m_);
  }

  /// The exact value from here on.
  void exact() {
    if (band == 0) return;
    value = ewma_->last(history_->pinnedEnd(), m_, m_);
    history_->unpin();
    band = 0;
  }

 private:
  static constexpr size_t kNear = 64;  // shorter windows: exact at once
  size_t m_ = 0;
  Ewma* ewma_ = nullptr;
  History* history_ = nullptr;
};

/// Whether x > the exact threshold, given the threshold thr computed from near values and a bound
/// thrBand on its distance to the exact one (0: thr is exact): 1 or 0 where the band settles it, -1
/// where it cannot.
int settled(double x, double thr, double thrBand) {
  if (thrBand == 0) return x > thr;
  if (x > thr + thrBand) return 1;
  if (x <= thr - thrBand) return 0;
  return -1;
}

/// The band of t x v (t x a near value v within vBand), the product's rounding included.
double productBand(double t, double v, double vBand) { return vBand == 0 ? 0 : std::fabs(t) * vBand + 4 * DBL_EPSILON * std::fabs(t * v); }

#if defined(__GNUC__)
/// imbalanceBody's test of a block of 4 kLanes trades: taken (true) where no running |theta| would exceed
/// `below` and the history has room for its imbalances, which it then appends, theta moved on.
template <int By>
struct ImbalanceBlocks {
  double theta;
  double* at;  // the history's tail
  const double* room;
  double below;

  static constexpr int kLanes = 4;  // a block: 4 kLanes trades (2 and 8 measured slower)
  static constexpr int kTrades = 4 * kLanes;

  __attribute__((always_inline)) bool operator()(const Lanes4 (&l)[kLanes]) {
    D4 x[kLanes];
    for (int j = 0; j < kLanes; j++) {
      const D4 b = __builtin_convertvector(l[j].s, D4);
      x[j] = By == 0 ? b : By == 1 ? b * l[j].v : b * l[j].v * l[j].p;
    }
    double next = theta;
    bool closes = false;
    if constexpr (By == 0) {
      // signs: |theta| moves by 1 a trade at most, and every running sum is an integer, exact in any order
      closes = std::fabs(theta) + kTrades > below;
      D4 z = x[0];
      for (int j = 1; j < kLanes; j++) z += x[j];
      next = theta + ((z[0] + z[1]) + (z[2] + z[3]));
    } else {
      for (int j = 0; j < kLanes; j++) {
        for (int k = 0; k < 4; k++) {
          next += x[j][k];
          closes |= std::fabs(next) > below;
        }
      }
    }
    if (closes || at + kTrades > room) return false;
    std::memcpy(at, x, sizeof x);
    at += kTrades;
    theta = next;
    return true;
  }
};
#endif

/// mlfinlab's BaseImbalanceBars._extract_bars. `blocks` (simd::run's AVX2 and AVX-512 copies): 16 trades
/// at a time in lanes (BarBuilder::addBlocks()) once the expectation no longer warms up, where they are
/// valid with prices > 0 and no bar can close at any of them: each running |theta| at most the lowest
/// threshold the near expectation allows (`below`); the imbalances are the same products, the sums the
/// same adds in the same order. From a block that may close, trades go one at a time to the next close.
template <int By>
KERNELBUS_VECTOR_BODY Status imbalanceBody(Doubles ts, Doubles price, Doubles volume, size_t n, const ImbalanceBarsParams& p, bool blocks,
                                           std::vector<BarRow>& out) {
  BarBuilder bars;
  // room for a bar every 64 trades (up to 2^18 bars) from the start: short bars come by the ten
  // thousand, and growing the rows copies them (the pages past those used are never touched)
  bars.rows.reserve(std::min<size_t>(n / 64, size_t{1} << 18));
  ExpectedTicks expected(p.kind, p.numPrevBars, p.expNumTicksInit, p.minExpNumTicks, p.maxExpNumTicks);
  Ewma ewma;
  History history(p.expectedImbalanceWindow, n);
  double theta = 0;
  LazyExpectation expImbalance;
  // the threshold expected ticks x |E[theta]| from the near expectation, a bound on its distance to the
  // exact one's (0: exact), and the lowest it allows (blocks')
  double threshold = kNaN, band = 0, below = kNaN;
  const auto expect = [&] {
    expImbalance.set(ewma, history, p.expectedImbalanceWindow, expected.value, true);
    threshold = expected.value * std::fabs(expImbalance.value);
    band = productBand(expected.value, expImbalance.value, expImbalance.band);
    below = threshold - band;
  };
  // trade i alone
  const auto step = [&](size_t i) -> Status {
    int sign = 0;
    if (Status s = bars.add(i, ts[i], price[i], volume[i], sign); !s.ok()) return s;
    const double imbalance = imbalanceOf(By, sign, price[i], volume[i]);
    history.push(imbalance);
    theta += imbalance;
    // until the first bar, recomputed while NaN (the history shorter than the expected ticks)
    if (bars.rows.empty() && std::isnan(expImbalance.value)) expect();
    int closes = settled(std::fabs(theta), threshold, band);
    if (closes < 0) {
      expImbalance.exact();
      threshold = expected.value * std::fabs(expImbalance.value);
      band = 0;
      closes = std::fabs(theta) > threshold;
    }
    if (closes) {
      const double ticks = bars.ticks;
      bars.close(i, ts[i], price[i]);
      expected.closed(ticks);
      expect();
      theta = 0;
    }
    return Status{};
  };
  size_t i = 0;
#if defined(__GNUC__)
  constexpr size_t kBlock = ImbalanceBlocks<By>::kTrades;
  while (blocks && i + kBlock <= n) {
    // blocks where one may be taken: a tick block cannot when |theta| is within kBlock of `below` (a
    // NaN `below`, an expectation warming up again after a close, closes nothing: blocks)
    if (i != 0 && !(bars.rows.empty() && std::isnan(expImbalance.value)) && (By != 0 || !(std::fabs(theta) + kBlock > below))) {
      ImbalanceBlocks<By> take{theta, history.tail(), history.room(), below};
      i = bars.addBlocks(ts, price, volume, i, n, take);
      history.appended(take.at);
      theta = take.theta;
      if (i + kBlock > n) break;
    }
    // then one trade at a time, a block's worth or to the next bar's close
    const size_t closed = bars.rows.size();
    for (const size_t k = i + kBlock; i < k && bars.rows.size() == closed; i++) {
      if (Status s = step(i); !s.ok()) return s;
    }
  }
#endif
  for (; i < n; i++) {
    if (Status s = step(i); !s.ok()) return s;
  }
  out = std::move(bars.rows);
  return Status{};
}

}  // namespace

Status imbalanceBars(Doubles ts, Doubles price, Doubles volume, size_t n, const ImbalanceBarsParams& p, std::vector<BarRow>& out) {
  const bool blocks = simd::level() != simd::Level::baseline;
  switch (p.by) {
    case 0:
      return simd::run<imbalanceBody<0>>(ts, price, volume, n, p, blocks, out);
    case 1:
      return simd::run<imbalanceBody<1>>(ts, price, volume, n, p, blocks, out);
    default:
      return simd::run<imbalanceBody<2>>(ts, price, volume, n, p, blocks, out);
  }
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
  LazyExpectation expBuy, expSell;
  double buyShare = kNaN;
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
    if (bars.rows.empty() && (std::isnan(expBuy.value) || std::isnan(expSell.value))) {
      expBuy.set(ewmaBuy, buys, window, expected.value, true);
      expSell.set(ewmaSell, sells, window, expected.value, true);
      if (!std::isnan(expBuy.value) && !std::isnan(expSell.value)) buyShare = buyTicks / bars.ticks;
    }
    double maxProportion = pyMax(expBuy.value * buyShare, expSell.value * (1 - buyShare));
    const double maxTheta = pyMax(thetaBuy, thetaSell);
    // near expectations: the proportion within the larger of the two products' bands
    const double band = std::max(productBand(buyShare, expBuy.value, expBuy.band), productBand(1 - buyShare, expSell.value, expSell.band));
    int closes =
        std::isnan(maxProportion) ? 0 : settled(maxTheta, expected.value * maxProportion, productBand(expected.value, maxProportion, band));
    if (closes < 0) {
      expBuy.exact();
      expSell.exact();
      maxProportion = pyMax(expBuy.value * buyShare, expSell.value * (1 - buyShare));
      closes = maxTheta > expected.value * maxProportion && !std::isnan(maxProportion);
    }
    if (closes) {
      const double ticks = bars.ticks;
      bars.close(i, ts[i], price[i]);
      buyShares.push_back(buyTicks / ticks);
      expected.closed(ticks);
      buyShare = ewmaShare.last(buyShares, std::min(buyShares.size(), p.numPrevBars), p.numPrevBars);
      expBuy.set(ewmaBuy, buys, window, expected.value, false);
      expSell.set(ewmaSell, sells, window, expected.value, false);
      thetaBuy = 0;
      thetaSell = 0;
      buyTicks = 0;
    }
  }
  out = std::move(bars.rows);
  return Status{};
}

}  // namespace kernelbus::features
