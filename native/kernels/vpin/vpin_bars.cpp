// Trades into time bars (vpin.hpp: aggregate(), closeOpenBar(), timeBars()): the hot loop of every VPIN
// call, with its vectorized fast path. Follows TradeState.update() in src/backends/reference/vpin/vpin.ts.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "simd.hpp"
#include "tick.hpp"
#include "vpin.hpp"
#include "vpin_steps.hpp"

namespace kernelbus::vpin {
namespace {

#if defined(__GNUC__)
// Four doubles or int64 lanes (GCC/Clang vector extensions: one register in the AVX2 and AVX-512
// copies of aggregate() that simd::run picks from, two SSE2 or NEON registers elsewhere); load4() reads four values at any alignment (an
// out-parameter: a 32-byte vector returned by value has another ABI with AVX and without).
typedef double D4 __attribute__((vector_size(32)));
typedef long long L4 __attribute__((vector_size(32)));
inline void load4(Doubles at, D4& out) { std::memcpy(&out, at.bytes(), sizeof out); }
#endif

// True when N (a multiple of 4) trades are sorted among themselves, with finite prices and finite
// volumes >= 0 (the fast path of aggregate(); the full checks find the exact fault); other compilers
// than GCC/Clang use the scalar loop.
template <int N>
#if defined(__GNUC__)
__attribute__((always_inline))  // in the hot loop of aggregate(): a call there costs more than the check
#endif
inline bool
blockValid(Doubles t, Doubles p, Doubles v) {
#if defined(__GNUC__)
  const D4 max = D4{0, 0, 0, 0} + DBL_MAX;
  const L4 absMask = L4{0, 0, 0, 0} + 0x7fffffffffffffffLL;
  D4 a, b, price4, volume4;
  load4(t + 1, a);
  load4(t, b);
  L4 ok = a >= b;  // t[1..4] against t[0..3], then each group against the one before
  for (int j = 0; j < N / 4; j++) {
    load4(p + 4 * j, price4);
    load4(v + 4 * j, volume4);
    ok &= (L4)((D4)((L4)price4 & absMask) <= max);
    ok &= (volume4 >= 0) & (volume4 <= max);
    if (j > 0) {
      load4(t + 4 * j, a);
      load4((t - 1) + 4 * j, b);
      ok &= a >= b;
    }
  }
  return (ok[0] & ok[1] & ok[2] & ok[3]) != 0;
#else
  bool ok = true;
  for (int k = 0; k < N; k++) {
    ok &= (k == 0 || t[k] >= t[k - 1]) & (std::fabs(p[k]) <= DBL_MAX) & (v[k] >= 0) & (v[k] <= DBL_MAX);
  }
  return ok;
#endif
}

// The tick rule over runs of 16-trade blocks inside one bar (aggregate()'s fast path). TickRun::block()
// takes the signs four trades at a time in int64 lanes (the change of each against the price before it;
// a lane without change takes the nearest changed lane before it, else the carried sign: a prefix scan,
// as tick.hpp does over bytes) and adds the volumes and the volumes times the signs side by side, without
// a branch. The reference adds each trade's buy volume (v, 0 or v / 2) and its volume one by one; the
// side-by-side sums have the same bits when no sum rounds in any order: the volumes integers <= 2^40, the
// bar's sums an integer and a multiple of 1/2 before the run and its volume < 2^50 after it (every
// partial sum is then an integer or a half-integer below 2^51, exact in a double). finish() checks that
// once per run and otherwise adds the run again one trade at a time (a tape with fractional volumes).
#if defined(__GNUC__)
#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 on carry's lanes, split without AVX: a false alarm
#endif
// The side-by-side sums of a run (TickRun's and LabelRun's): the volumes, and the volumes times each
// trade's sign (+1, -1 or 0), four lanes each.
struct SignedSums {
  D4 sumV = {0, 0, 0, 0}, sumVS = {0, 0, 0, 0};
  L4 exact = L4{0, 0, 0, 0} - 1;

  // Four trades: volumes vj, signs s (+1, -1, 0 per lane).
  void add(D4 vj, L4 s) {
    constexpr double kRound = 4503599627370496.0;  // 2^52: x + 2^52 - 2^52 is x rounded to an integer
    const L4 zero = {0, 0, 0, 0};
    const L4 signBit = zero + static_cast<long long>(0x8000000000000000ULL);
    exact &= (vj <= 1099511627776.0) & (vj + kRound - kRound == vj);  // 2^40
    sumV += vj;
    sumVS += (D4)((((L4)vj) & (s != 0)) ^ (signBit & (s < 0)));  // v times the sign: v, -v or 0
  }

  // The run's sums into `volume` and `buy` (their values before the run); false when they might have
  // rounded (then nothing is added).
  bool finish(double& volume, double& buy) const {
    constexpr double kRound = 4503599627370496.0;
    const double totalV = (sumV[0] + sumV[1]) + (sumV[2] + sumV[3]);
    const double twiceBuy = 2 * buy;
    const bool ok = (exact[0] & exact[1] & exact[2] & exact[3]) != 0 && volume + kRound - kRound == volume &&
                    twiceBuy + kRound - kRound == twiceBuy && volume + totalV < 1125899906842624.0;  // 2^50
    if (!ok) return false;
    volume += totalV;
    buy += 0.5 * (totalV + ((sumVS[0] + sumVS[1]) + (sumVS[2] + sumVS[3])));
    return true;
  }
};

struct TickRun : SignedSums {
  L4 carry;

  explicit TickRun(double lastSign) {
    const auto sign = static_cast<long long>(lastSign);
    carry = L4{sign, sign, sign, sign};
  }

  // 16 trades p[0..16), v[0..16), p[-1] the price before them (checked by blockValid()).
  void block(Doubles p, Doubles v) {
    const L4 zero = {0, 0, 0, 0};
    for (int j = 0; j < 4; j++) {
      D4 pj, before, vj;
      load4(p + 4 * j, pj);
      load4((p - 1) + 4 * j, before);
      load4(v + 4 * j, vj);
      L4 s = (pj < before) - (pj > before);  // masks are -1: +1 a rise, -1 a fall, 0 no change
      s |= __builtin_shufflevector(s, zero, 4, 0, 1, 2) & (s == 0);
      s |= __builtin_shufflevector(s, zero, 4, 4, 0, 1) & (s == 0);
      s |= carry & (s == 0);
      carry = __builtin_shufflevector(s, s, 3, 3, 3, 3);
      add(vj, s);
    }
  }

  int lastSign() const { return static_cast<int>(carry[0]); }
};

// The labels classifier's run of 16-trade blocks (aggregate()'s fast path with labels): each trade's
// sign the sign of its label, the sums side by side as TickRun's (the same bits as the reference's
// one-by-one sums where nothing rounds; finish() says when).
struct LabelRun : SignedSums {
  // 16 trades: volumes v[0..16), labels l[0..16).
  void block(Doubles v, const int8_t* l) {
    for (int j = 0; j < 4; j++) {
      D4 vj;
      load4(v + 4 * j, vj);
      const int8_t* q = l + 4 * j;
      const L4 s = {(q[0] > 0) - (q[0] < 0), (q[1] > 0) - (q[1] < 0), (q[2] > 0) - (q[2] < 0), (q[3] > 0) - (q[3] < 0)};
      add(vj, s);
    }
  }
};
#pragma GCC diagnostic pop
#endif

}  // namespace

// ---------------------------------------------------------------------------------------------
// Trade aggregation

// aggregate(): the hot loop, one pass over the trades. Works on locals and writes `st` back at the end.
// The fast path takes blocks of valid trades inside the open bar with one branch per block; anything
// else (a new bar, a fault, the last trades of a batch) goes through the full checks below it, in the
// reference's order, so faults and results are the same.
namespace {

// The share of a labelled trade's volume that is bought: +1 all, -1 none, 0 half (the tick path's weights).
inline double labelWeight(int8_t label) { return label > 0 ? 1.0 : label < 0 ? 0.0 : 0.5; }

KERNELBUS_VECTOR_BODY Status aggregateBody(TradeState& st, double barMs, bool tick, Doubles ts, Doubles price, Doubles volume, size_t n,
                                           Bars& closed, const int8_t* labels) {
  Bar bar = st.bar;
  bool hasBar = st.hasBar;
  double barEnd = hasBar ? (bar.index + 1) * barMs : -INFINITY;
  double lastTs = st.lastTs;
  double lastPrice = st.lastPrice;
  double lastSign = st.lastSign;
  double barClose = bar.close;
  double barVolume = bar.volume;
  double barBuy = bar.buy;
  uint64_t barCount = static_cast<uint64_t>(bar.count);
  if (n > 0) {
    // At most one bar per barMs interval the trades span: reserve that once (no regrowth copies), and
    // at least twice the capacity (prepare() calls this chunk after chunk on the same bars).
    // NaN (infinite times, refused below) or negative: no reservation (and no cast of a NaN)
    const double span = std::floor(ts[n - 1] / barMs) - std::floor(ts[0] / barMs) + 2;
    const size_t bars = span > 0 ? static_cast<size_t>(std::min(span, static_cast<double>(n))) : 0;
    const size_t need = closed.size() + bars;
    if (need > closed.capacity()) closed.reserve(std::max(need, 2 * closed.capacity()));
  }
  size_t i = 0;
  while (i < n) {
    {
      // Blocks of valid trades inside the open bar: vectorized checks, then the sums in trade order
      // (as in the reference: they must round identically).
      constexpr size_t kBlock = 16;
#if defined(__GNUC__)
      if (tick && i > 0) {
        // a run of blocks (TickRun; the trade before each block is the last one taken): after the first
        TickRun run(lastSign);
        const size_t from = i;
        while (i + kBlock <= n) {
          const Doubles t = ts + i;
          const Doubles p = price + i;
          const Doubles v = volume + i;
          if (!(t[0] >= lastTs && t[kBlock - 1] < barEnd && blockValid<kBlock>(t, p, v))) break;
          run.block(p, v);
          i += kBlock;
          lastTs = t[kBlock - 1];
        }
        if (i > from) {
          if (!run.finish(barVolume, barBuy)) {
            static constexpr double kBuyWeight[3] = {0.0, 0.5, 1.0};
            tick::Carry c{lastPrice, static_cast<int>(lastSign)};
            for (size_t k = from; k < i; k++) {
              barVolume += volume[k];
              barBuy += volume[k] * kBuyWeight[tick::next(c, price[k]) + 1];
            }
          }
          barCount += i - from;
          lastPrice = barClose = price[i - 1];
          lastSign = run.lastSign();
        }
      }
      if (labels) {
        // a run of blocks (LabelRun), its sums side by side where they round nowhere
        LabelRun run;
        const size_t from = i;
        while (i + kBlock <= n) {
          const Doubles t = ts + i;
          if (!(t[0] >= lastTs && t[kBlock - 1] < barEnd && blockValid<kBlock>(t, price + i, volume + i))) break;
          run.block(volume + i, labels + i);
          i += kBlock;
          lastTs = t[kBlock - 1];
        }
        if (i > from) {
          if (!run.finish(barVolume, barBuy)) {
            for (size_t k = from; k < i; k++) {
              barVolume += volume[k];
              barBuy += volume[k] * labelWeight(labels[k]);
            }
          }
          barCount += i - from;
          barClose = price[i - 1];
        }
      }
#endif
      while (!tick && i + kBlock <= n) {
        const Doubles t = ts + i;
        const Doubles p = price + i;
        const Doubles v = volume + i;
        if (!(t[0] >= lastTs && t[kBlock - 1] < barEnd && blockValid<kBlock>(t, p, v))) break;
        for (size_t k = 0; k < kBlock; k++) barVolume += v[k];
        if (labels) {
          for (size_t k = 0; k < kBlock; k++) barBuy += v[k] * labelWeight(labels[i + k]);
        }
        barCount += kBlock;
        i += kBlock;
        barClose = p[kBlock - 1];
        lastTs = t[kBlock - 1];
      }
      if (tick && i == n) break;  // the blocks took the last trade
      if (!tick) {
        for (; i < n; i++) {
          const double t = ts[i];
          const double p = price[i];
          const double v = volume[i];
          const bool ok = (t >= lastTs) & (t < barEnd) & (std::fabs(p) <= DBL_MAX) & (v >= 0) & (v <= DBL_MAX);
          if (!ok) break;
          barClose = p;
          barVolume += v;
          if (labels) barBuy += v * labelWeight(labels[i]);
          barCount++;
          lastTs = t;
        }
        if (i == n) break;
      }
    }
    const double t = ts[i];
    const double p = price[i];
    const double v = volume[i];
    if (!(t >= lastTs)) return fault(std::isnan(t) ? Fault::TsNotFinite : Fault::TsDecreasing, double(i), t, lastTs);
    if (!(t < barEnd)) {
      if (!isFiniteNumber(t)) return fault(Fault::TsNotFinite, double(i), t, lastTs);
      const double index = std::floor(t / barMs);
      if (!(std::fabs(index) <= DBL_MAX)) return fault(Fault::TsBarOutOfRange, double(i), t, barMs);
      if (index <= st.closedBarIndex) return fault(Fault::TsInClosedBar, double(i), t, lastTs);
      if (hasBar) {
        bar.close = barClose;
        bar.volume = barVolume;
        bar.buy = barBuy;
        bar.count = static_cast<double>(barCount);
        bar.lastTs = lastTs;
        closed.push_back(bar);
      }
      bar = Bar{index, p, p, 0, 0, 0, t, t};
      barVolume = 0;
      barBuy = 0;
      barCount = 0;
      hasBar = true;
      barEnd = (index + 1) * barMs;
    }
    if (!isFiniteNumber(p)) return fault(Fault::PriceNotFinite, double(i), p);
    if (!(v >= 0 && v <= DBL_MAX)) return fault(Fault::VolumeInvalid, double(i), v);
    barClose = p;
    barVolume += v;
    barCount++;
    if (tick) {
      const double sign = p > lastPrice ? 1 : p < lastPrice ? -1 : lastSign;
      lastSign = sign;
      lastPrice = p;
      barBuy += sign > 0 ? v : sign < 0 ? 0 : 0.5 * v;
    } else if (labels) {
      barBuy += v * labelWeight(labels[i]);
    }
    lastTs = t;
    i++;
  }
  bar.close = barClose;
  bar.volume = barVolume;
  bar.buy = barBuy;
  bar.count = static_cast<double>(barCount);
  st.bar = bar;
  st.hasBar = hasBar;
  st.lastTs = lastTs;
  st.lastPrice = lastPrice;
  st.lastSign = lastSign;
  return Status{};
}

}  // namespace

// Bars of a few trades each (10 ms bars): kSmallChunk trades at a time through smallBars() while they
// are (fewer than kSmallPace trades a bar, by their span), the rest through aggregateBody().
Status aggregate(TradeState& st, double barMs, bool tick, Doubles ts, Doubles price, Doubles volume, size_t n, Bars& closed,
                 const int8_t* labels) {
  constexpr double kSmallPace = 4;
  const auto small = [&](size_t from, size_t len) {  // false where NaN
    return (std::floor(ts[from + len - 1] / barMs) - std::floor(ts[from] / barMs)) * kSmallPace > static_cast<double>(len);
  };
  if (tick || labels || n < kSmallChunk || !small(0, n))
    return simd::run<aggregateBody>(st, barMs, tick, ts, price, volume, n, closed, labels);
  const TradeState before = st;  // on a fault st is unchanged
  for (size_t at = 0; at < n;) {
    const size_t len = std::min(kSmallChunk, n - at);
    if (!(small(at, len) && smallBars(st, barMs, ts + at, price + at, volume + at, len, closed))) {
      Status s = simd::run<aggregateBody>(st, barMs, false, ts + at, price + at, volume + at, len, closed, nullptr);
      if (!s.ok()) {
        st = before;
        s.index += static_cast<double>(at);
        return s;
      }
    }
    at += len;
  }
  return Status{};
}

void closeOpenBar(TradeState& st, Bars& closed) {
  if (!st.hasBar) return;
  st.bar.lastTs = st.lastTs;
  st.hasBar = false;
  st.closedBarIndex = st.bar.index;
  closed.push_back(st.bar);
}

// ---------------------------------------------------------------------------------------------
// Whole-sequence bars (referenceVpin.timeBars)

Status timeBars(Doubles ts, Doubles price, Doubles volume, size_t n, double barMs, Bars& bars) {
  TradeState st;
  const Status s = aggregate(st, barMs, false, ts, price, volume, n, bars);
  if (!s.ok()) return s;
  closeOpenBar(st, bars);
  return Status{};
}

void writeTimeBars(const Bars& bars, double barMs, const BarColumns& out) {
  for (size_t i = 0; i < bars.size(); i++) {
    out.start[i] = bars[i].index * barMs;
    out.open[i] = bars[i].open;
    out.close[i] = bars[i].close;
    out.volume[i] = bars[i].volume;
    out.count[i] = bars[i].count;
  }
}

}  // namespace kernelbus::vpin
