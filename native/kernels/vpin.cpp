// See vpin.hpp. Each function names its counterpart in src/backends/reference/vpin.ts.
#include "vpin.hpp"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "parallel.hpp"
#include "special.hpp"
#include "tick.hpp"

namespace kernelbus::vpin {
namespace {

Status fault(Fault f, double index, double value, double previous = 0) { return Status{f, index, value, previous}; }

bool isFiniteNumber(double x) { return x - x == 0; }

#if defined(__GNUC__)
// Four doubles or int64 lanes (GCC/Clang vector extensions: AVX in the x86-64 target clones of
// aggregate(), two SSE2 or NEON registers elsewhere); load4() reads four values at any alignment (an
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

// priceChanges(), one bar: close to close (mode 0, after the first bar), else open to close.
double priceChange(int mode, double open, double close, double previousClose) {
  return mode == 0 && !std::isnan(previousClose) ? close - previousClose : close - open;
}

// priceChanges(): priceChange() of every bar into dP[n] (loops that vectorize).
void priceChanges(const double* open, const double* close, size_t n, int mode, double* dP) {
  if (n == 0) return;
  dP[0] = close[0] - open[0];
  if (mode == 0) {
    for (size_t i = 1; i < n; i++) dP[i] = close[i] - close[i - 1];
  } else {
    for (size_t i = 1; i < n; i++) dP[i] = close[i] - open[i];
  }
}

// sampleStd(): two-pass, ddof 1, NaN below 2 values. `at(i)` gives the i-th value in order.
template <typename At>
double sampleStd(size_t count, At at) {
  if (count < 2) return NAN;
  // four interleaved sums (value i into sum i % 4), then (s0 + s1) + (s2 + s3): four independent chains
  double s[4] = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    for (size_t k = 0; k < 4; k++) s[k] += at(i + k);
  }
  for (; i < count; i++) s[i & 3] += at(i);
  const double mean = ((s[0] + s[1]) + (s[2] + s[3])) / static_cast<double>(count);
  double q[4] = {0, 0, 0, 0};
  for (i = 0; i + 4 <= count; i += 4) {
    for (size_t k = 0; k < 4; k++) q[k] += (at(i + k) - mean) * (at(i + k) - mean);
  }
  for (; i < count; i++) q[i & 3] += (at(i) - mean) * (at(i) - mean);
  return std::sqrt(((q[0] + q[1]) + (q[2] + q[3])) / static_cast<double>(count - 1));
}

// buyFraction(), first half: z = dP / sigma, or NaN where the fraction is 1/2 (sigma not > 0, z NaN).
double standardized(double dP, double sigma) { return sigma > 0 ? dP / sigma : NAN; }

// buyFraction(), second half, over many bars at once: z[i] (from standardized()) becomes the buy
// fraction F(z[i]), or 1/2 where z[i] is NaN. The normal CDF runs vectorized, kChunk values at a time.
constexpr size_t kChunk = 1024;
// With `volume`, each fraction times volume[i] (bulkClassify()'s buy volumes, while the chunk is in cache).
void buyFractions(double* z, size_t n, int distribution, double nu, const double* volume = nullptr) {
  double cdf[kChunk];
  for (size_t from = 0; from < n; from += kChunk) {
    const size_t len = std::min(kChunk, n - from);
    double* x = z + from;
    if (distribution == 0) {
      normalCdfMany(x, cdf, len);
    } else {
      for (size_t i = 0; i < len; i++) cdf[i] = studentTCdf(x[i], nu);
    }
    for (size_t i = 0; i < len; i++) x[i] = std::isnan(x[i]) ? 0.5 : cdf[i];
    if (volume != nullptr) {
      for (size_t i = 0; i < len; i++) x[i] *= volume[from + i];
    }
  }
}

// SigmaState.next() for the rolling/EWMA rules over explicit state (shared by bulkClassify and VpinStream).
struct Sigma {
  int kind;
  double param;
  double fixed;
  double* ewmaVar;
  std::vector<double>* window;
  size_t* head;

  double next(double dP) const {
    if (kind == kSigmaRolling) {
      const size_t k = static_cast<size_t>(param);
      if (window->size() < k) {
        window->push_back(dP);
      } else {  // full ring: overwrite the oldest
        (*window)[*head] = dP;
        *head = (*head + 1) % k;
      }
      const size_t count = window->size();
      const size_t start = count < k ? 0 : *head;
      const std::vector<double>& w = *window;
      return sampleStd(count, [&](size_t i) { return w[(start + i) % count]; });
    }
    if (kind == kSigmaEwma) {
      *ewmaVar = std::isnan(*ewmaVar) ? dP * dP : param * *ewmaVar + (1 - param) * (dP * dP);
      return std::sqrt(*ewmaVar);
    }
    return fixed;
  }
};

// BucketState.addBars()'s pour of one bar's volume into buckets of V, the one definition of that
// arithmetic (prepare() counts with it, commit() writes with it, so the count is exact): complete(need)
// for each bucket the bar completes (then `filled` is 0), partial(rest) for the volume left in the
// open bucket (then added to `filled`); open() before either when the bar opens the bucket (`filled` is
// 0). A bar that overflows a bucket is split pro rata.
template <typename Open, typename Complete, typename Partial>
void pourBar(double volume, double V, double& filled, Open open, Complete complete, Partial partial) {
  double remaining = volume;
  while (remaining > 0) {
    if (filled == 0) open();
    const double need = V - filled;
    if (remaining >= need) {
      complete(need);
      filled = 0;
      remaining -= need;
    } else {
      partial(remaining);
      filled += remaining;
      remaining = 0;
    }
  }
}

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

}  // namespace

KERNELBUS_VECTOR_CLONES
Status aggregate(TradeState& st, double barMs, bool tick, Doubles ts, Doubles price, Doubles volume, size_t n, Bars& closed,
                 const int8_t* labels) {
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

void closeOpenBar(TradeState& st, Bars& closed) {
  if (!st.hasBar) return;
  st.bar.lastTs = st.lastTs;
  st.hasBar = false;
  st.closedBarIndex = st.bar.index;
  closed.push_back(st.bar);
}

// ---------------------------------------------------------------------------------------------
// RankedHistory: blocks of at most 2 * kBlock sorted values; the values of block b are all <= those
// of block b + 1. Insert finds the block by its last value, so equal values go after existing ones.

size_t RankedHistory::insert(double x) {
  if (blocks_.empty()) {
    blocks_.emplace_back();
    lasts_.push_back(x);
    sizes_.push_back(0);
  }
  // The first block whose last value is > x takes x (after its equal values); else the last block.
  size_t b = static_cast<size_t>(std::upper_bound(lasts_.begin(), lasts_.end() - 1, x) - lasts_.begin());
  size_t before = 0;
  for (size_t i = 0; i < b; i++) before += sizes_[i];
  std::vector<double>& block = blocks_[b];
  const auto pos = std::upper_bound(block.begin(), block.end(), x);
  const size_t rank = before + static_cast<size_t>(pos - block.begin()) + 1;
  block.insert(pos, x);
  lasts_[b] = block.back();
  sizes_[b] = block.size();
  if (block.size() >= 2 * kBlock) {
    std::vector<double> upper(block.begin() + kBlock, block.end());
    block.resize(kBlock);
    lasts_[b] = block.back();
    sizes_[b] = kBlock;
    const auto at = static_cast<std::ptrdiff_t>(b) + 1;
    lasts_.insert(lasts_.begin() + at, upper.back());
    sizes_.insert(sizes_.begin() + at, upper.size());
    blocks_.insert(blocks_.begin() + at, std::move(upper));
  }
  size_++;
  return rank;
}

void RankedHistory::erase(double x) {
  // The first block whose last value is >= x holds x (the blocks are ordered).
  const size_t b = static_cast<size_t>(std::lower_bound(lasts_.begin(), lasts_.end(), x) - lasts_.begin());
  if (b == blocks_.size()) return;
  std::vector<double>& block = blocks_[b];
  const auto pos = std::lower_bound(block.begin(), block.end(), x);
  if (pos == block.end() || !(*pos == x)) return;
  block.erase(pos);
  size_--;
  const auto at = static_cast<std::ptrdiff_t>(b);
  if (block.empty()) {
    blocks_.erase(blocks_.begin() + at);
    lasts_.erase(lasts_.begin() + at);
    sizes_.erase(sizes_.begin() + at);
    return;
  }
  lasts_[b] = block.back();
  sizes_[b] = block.size();
}

void RankedHistory::copyTo(double* out) const {
  for (const auto& block : blocks_) out = std::copy(block.begin(), block.end(), out);
}

void RankedHistory::assign(const double* values, size_t n) {
  blocks_.clear();
  lasts_.clear();
  sizes_.clear();
  for (size_t i = 0; i < n; i += kBlock) {
    blocks_.emplace_back(values + i, values + std::min(n, i + kBlock));
    lasts_.push_back(blocks_.back().back());
    sizes_.push_back(blocks_.back().size());
  }
  size_ = n;
}

// ---------------------------------------------------------------------------------------------
// VpinStream (ReferenceVpinStream + BucketState)

VpinStream::VpinStream(const Params& params, double fixedSigma) : p_(params), fixedSigma_(fixedSigma), prevClose_(NAN), ewmaVar_(NAN) {}

Status VpinStream::prepare(Doubles ts, Doubles price, Doubles volume, size_t n, bool closeAtEnd, size_t& buckets, const int8_t* labels) {
  next_ = trades_;
  pending_.clear();
  changes_.clear();
  replay_ = Replay{};
  buckets = 0;
  // the labels classifier reads a label per trade; the others read none
  if (n > 0 && (p_.classifier == 2) != (labels != nullptr)) return fault(Fault::ParamInvalid, 3, p_.classifier);
  double total = filled_;
  double filled = filled_;
  double prevClose = NAN;
  // kReplayChunk trades at a time; their bars kept while they are few, else counted and dropped
  // (commit() aggregates the trades again)
  bool keep = true;
  for (size_t at = 0; at == 0 || at < n; at += kReplayChunk) {
    const size_t len = std::min(kReplayChunk, n - at);
    const size_t from = keep ? pending_.size() : 0;
    if (!keep) pending_.clear();
    Status s =
        aggregate(next_, p_.barMs, p_.classifier == 1, ts + at, price + at, volume + at, len, pending_, labels ? labels + at : nullptr);
    if (!s.ok()) {
      pending_.clear();
      changes_.clear();
      s.index += static_cast<double>(at);
      return s;
    }
    if (closeAtEnd && at + len == n) closeOpenBar(next_, pending_);
    countBars(from, total, filled, prevClose, buckets);
    if (keep && pending_.size() > keptBars(n)) {
      keep = false;
      replay_ = Replay{ts, price, volume, n, labels, closeAtEnd, true};
    }
  }
  if (!keep) pending_.clear();
  // BucketState.checkBucketCount()
  const double estimate = total / p_.bucketVolume;
  if (!(estimate <= kMaxBucketsPerCall)) {
    pending_.clear();
    changes_.clear();
    replay_ = Replay{};
    return fault(Fault::TooManyBuckets, 0, std::ceil(estimate));
  }
  return Status{};
}

// The pour of commit(), counting only (the same arithmetic, so the count is exact); none once the
// total says there are too many buckets (prepare() then fails: the count is not needed, and a bar's
// pour could take as many steps as the buckets it completes).
void VpinStream::countBars(size_t from, double& total, double& filled, double& prevClose, size_t& buckets) {
  const bool sample = p_.classifier == 0 && p_.sigmaKind == kSigmaSample;
  // total / V <= kMaxBucketsPerCall, with room for its rounding (the exact test is prepare()'s)
  const double most = kMaxBucketsPerCall * p_.bucketVolume * (1 + 1e-9);
  for (size_t b = from; b < pending_.size(); b++) {
    const Bar& bar = pending_[b];
    total += bar.volume;
    if (total <= most) {
      pourBar(
          bar.volume, p_.bucketVolume, filled, [] {}, [&](double) { buckets++; }, [](double) {});
    }
    if (sample) {
      changes_.push_back(priceChange(p_.priceChange, bar.open, bar.close, prevClose));
      prevClose = bar.close;
    }
  }
}

double VpinStream::pendingSampleSigma() const {
  return sampleStd(changes_.size(), [this](size_t i) { return changes_[i]; });
}

// commit() + BucketState.addBars(): the pending bars, or the replayed trades' bars a chunk at a time.
void VpinStream::commit(const BucketColumns& out) {
  size_t row = 0;
  if (!replay_.active) {
    trades_ = next_;
    pourPending(out, row);
  } else {
    const Replay r = replay_;
    TradeState st = trades_;
    for (size_t at = 0; at < r.n; at += kReplayChunk) {
      const size_t len = std::min(kReplayChunk, r.n - at);
      pending_.clear();
      aggregate(st, p_.barMs, p_.classifier == 1, r.ts + at, r.price + at, r.volume + at, len, pending_,
                r.labels ? r.labels + at : nullptr);
      if (r.closeAtEnd && at + len == r.n) closeOpenBar(st, pending_);
      pourPending(out, row);
    }
    trades_ = next_;
    replay_ = Replay{};
  }
  pending_.clear();
  changes_.clear();
}

// The pending bars kChunk at a time: their fractions (the CDF vectorizes over them), then their
// pour, bar by bar.
void VpinStream::pourPending(const BucketColumns& out, size_t& row) {
  double fractions[kChunk];  // the fractions of kChunk bars at a time
  for (size_t from = 0; from < pending_.size(); from += kChunk) {
    const size_t len = std::min(kChunk, pending_.size() - from);
    for (size_t k = 0; k < len; k++) fractions[k] = fractionOrZ(pending_[from + k]);
    if (p_.classifier == 0) buyFractions(fractions, len, p_.distribution, p_.nu);
    for (size_t k = 0; k < len; k++) {
      const Bar& bar = pending_[from + k];
      const double f = fractions[k];
      pourBar(
          bar.volume, p_.bucketVolume, filled_, [&] { bucketStart_ = bar.firstTs; },
          [&](double need) {
            bucketBuy_ += need * f;
            completeBucket(bucketStart_, bar.lastTs, out, row++);
          },
          [&](double rest) { bucketBuy_ += rest * f; });
    }
  }
}

double VpinStream::sigmaNext(double dP) {
  return Sigma{p_.sigmaKind, p_.sigmaParam, fixedSigma_, &ewmaVar_, &dpWindow_, &dpHead_}.next(dP);
}

// BucketState.fraction(): the tick rule's fraction, or BVC's standardized price change (buyFractions()
// makes it the fraction).
double VpinStream::fractionOrZ(const Bar& bar) {
  if (p_.classifier != 0) return bar.volume > 0 ? bar.buy / bar.volume : 0.5;
  const double dP = priceChange(p_.priceChange, bar.open, bar.close, prevClose_);
  prevClose_ = bar.close;
  return standardized(dP, sigmaNext(dP));
}

// BucketState.completeBucket()
void VpinStream::completeBucket(double startTs, double endTs, const BucketColumns& out, size_t row) {
  const double V = p_.bucketVolume;
  const int64_t n = p_.window;
  const double buy = bucketBuy_;
  const double sell = V - buy;
  const double imbalance = std::fabs(buy - sell);
  double vpinValue = NAN;
  double cdf = NAN;
  const size_t ring = static_cast<size_t>(n - 1);
  if (bucketCount_ >= static_cast<double>(n - 1)) {
    double sum = 0;
    const size_t count = imbalances_.size();
    const size_t start = count < ring ? 0 : imbHead_;
    for (size_t i = 0; i < count; i++) sum += imbalances_[(start + i) % count];
    sum += imbalance;
    vpinValue = sum / (static_cast<double>(n) * V);
    if (p_.cdfWindow > 0) {  // the CDF over the last cdfWindow values: the oldest leaves first
      const size_t W = static_cast<size_t>(p_.cdfWindow);
      if (cdfRing_.size() < W) {
        cdfRing_.push_back(vpinValue);
      } else {
        history_.erase(cdfRing_[cdfHead_]);
        cdfRing_[cdfHead_] = vpinValue;
        cdfHead_ = (cdfHead_ + 1) % W;
      }
    }
    const size_t rank = history_.insert(vpinValue);
    cdf = static_cast<double>(rank) / static_cast<double>(history_.size());
  }
  if (ring > 0) {
    if (imbalances_.size() < ring) {
      imbalances_.push_back(imbalance);
    } else {
      imbalances_[imbHead_] = imbalance;
      imbHead_ = (imbHead_ + 1) % ring;
    }
  }
  out.startTs[row] = startTs;
  out.endTs[row] = endTs;
  out.duration[row] = endTs - startTs;
  out.buyVolume[row] = buy;
  out.sellVolume[row] = sell;
  out.vpin[row] = vpinValue;
  out.cdf[row] = cdf;
  bucketCount_ += 1;
  bucketBuy_ = 0;
}

size_t VpinStream::stateSize(bool history) const {
  return kStateHeader + dpWindow_.size() + imbalances_.size() + (history ? history_.size() : 0);
}

// exportVpinState(): layout documented there.
void VpinStream::exportState(double* s, bool history) const {
  const TradeState& t = trades_;
  const double head[kStateHeader] = {
      t.hasBar ? 1.0 : 0.0,
      t.hasBar ? t.bar.index : 0,
      t.hasBar ? t.bar.open : 0,
      t.hasBar ? t.bar.close : 0,
      t.hasBar ? t.bar.volume : 0,
      t.hasBar ? t.bar.buy : 0,
      t.hasBar ? t.bar.count : 0,
      t.lastTs,
      t.closedBarIndex,
      t.lastPrice,
      t.lastSign,
      prevClose_,
      ewmaVar_,
      filled_,
      bucketBuy_,
      bucketCount_,
      static_cast<double>(p_.cdfWindow),
      static_cast<double>(dpWindow_.size()),
      static_cast<double>(imbalances_.size()),
      history ? static_cast<double>(history_.size()) : 0,
      t.hasBar ? t.bar.firstTs : 0,
      filled_ > 0 ? bucketStart_ : 0,
  };
  s = std::copy(head, head + kStateHeader, s);
  auto appendRing = [&s](const std::vector<double>& ring, size_t head, size_t capacity) {
    const size_t count = ring.size();
    const size_t start = count < capacity ? 0 : head;
    for (size_t i = 0; i < count; i++) *s++ = ring[(start + i) % count];
  };
  appendRing(dpWindow_, dpHead_, static_cast<size_t>(p_.sigmaKind == kSigmaRolling ? p_.sigmaParam : 0));
  appendRing(imbalances_, imbHead_, static_cast<size_t>(p_.window - 1));
  if (!history) return;
  if (p_.cdfWindow > 0) {
    appendRing(cdfRing_, cdfHead_, static_cast<size_t>(p_.cdfWindow));  // oldest first
  } else {
    history_.copyTo(s);  // ascending
  }
}

// importVpinState(): same checks in the same order.
Status VpinStream::importState(const double* s, size_t n) {
  auto bad = [&](size_t i) { return fault(Fault::StateInvalid, double(i), i < n ? s[i] : NAN); };
  if (n < kStateHeader) return fault(Fault::StateInvalid, double(n), NAN);
  auto isCount = [](double x) { return x >= 0 && x <= 9007199254740992.0 && std::floor(x) == x; };
  for (size_t i : {0, 6, 15, 17, 18, 19}) {
    if (!isCount(s[i])) return bad(i);
  }
  if (s[0] > 1) return bad(0);
  if (!(s[4] >= 0 && s[4] <= DBL_MAX)) return bad(4);              // the open bar's volume
  if (!(s[10] == -1 || s[10] == 0 || s[10] == 1)) return bad(10);  // the carried tick sign
  const double l1 = s[17], l2 = s[18], l3 = s[19];
  const double maxWindow = p_.sigmaKind == kSigmaRolling ? p_.sigmaParam : 0;
  if (l1 > maxWindow) return bad(17);
  if (l2 > static_cast<double>(p_.window - 1)) return bad(18);
  if (l3 > s[15]) return bad(19);
  if (s[16] != static_cast<double>(p_.cdfWindow)) return bad(16);  // a snapshot of a stream with this cdfWindow
  if (p_.cdfWindow > 0 && l3 > s[16]) return bad(19);
  if (static_cast<double>(n) != static_cast<double>(kStateHeader) + l1 + l2 + l3) return bad(19);
  const size_t n1 = static_cast<size_t>(l1), n2 = static_cast<size_t>(l2), n3 = static_cast<size_t>(l3);
  const size_t h = kStateHeader + n1 + n2;
  for (size_t i = h + 1; i < n; i++) {
    if (p_.cdfWindow > 0 ? std::isnan(s[i]) : !(s[i - 1] <= s[i])) return bad(i);  // windowed: oldest first
  }
  if (p_.cdfWindow > 0 && n > h && std::isnan(s[h])) return bad(h);
  if (!(s[13] >= 0 && s[13] < p_.bucketVolume)) return bad(13);
  // the open bar's and the open bucket's first trades: finite and at or before the last trade, or NaN (unknown)
  auto firstTrade = [&](double x) { return std::isnan(x) || (isFiniteNumber(x) && x <= s[7]); };
  if (s[0] == 1 && !firstTrade(s[20])) return bad(20);
  if (s[13] > 0 && !firstTrade(s[21])) return bad(21);
  trades_.hasBar = s[0] == 1;
  trades_.bar = Bar{s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[20]};
  trades_.lastTs = s[7];
  trades_.closedBarIndex = s[8];
  trades_.lastPrice = s[9];
  trades_.lastSign = s[10];
  prevClose_ = s[11];
  ewmaVar_ = s[12];
  filled_ = s[13];
  bucketBuy_ = s[14];
  bucketCount_ = s[15];
  bucketStart_ = s[21];
  dpWindow_.assign(s + kStateHeader, s + kStateHeader + n1);
  dpHead_ = 0;
  imbalances_.assign(s + kStateHeader + n1, s + h);
  imbHead_ = 0;
  if (p_.cdfWindow > 0) {
    cdfRing_.assign(s + h, s + h + n3);
    cdfHead_ = 0;
    std::vector<double> sorted(cdfRing_);
    std::sort(sorted.begin(), sorted.end());
    history_.assign(sorted.data(), n3);
  } else {
    history_.assign(s + h, n3);
  }
  return Status{};
}

// ---------------------------------------------------------------------------------------------
// Whole-sequence kernels (referenceVpin.*)

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

// tick::signs() (the changes side by side, the carried sign a prefix scan); a price that is not
// finite found after it by the exact scan (the reference's fault and index).
Status tickRule(const double* price, size_t n, int8_t* out) {
  tick::Carry carry;
  if (tick::signs(Doubles(price), n, carry, out)) return Status{};
  for (size_t i = 0; i < n; i++) {
    if (!isFiniteNumber(price[i])) return fault(Fault::PriceArgNotFinite, double(i), price[i]);
  }
  return Status{};
}

namespace {

// The bars a thread takes at least in bulkClassify's element-wise passes (each value computed alone:
// the same bits on any thread count; below this one thread).
constexpr size_t kBulkMinChunk = size_t{1} << 15;

// standardizedChanges() with the sample or a fixed sigma, its z not yet divided: the checks and the
// price changes in one pass over parts of the bars on the threads, then sigma (the sample one is one
// sum in bar order, as the reference's: on one thread). False when a value is bad.
bool changesAndSigma(const double* open, const double* close, const double* volume, size_t n, const Params& params, double* z,
                     double& sigma) {
  std::atomic<bool> bad{false};
  const int mode = params.priceChange;
  parallelFor(n, kBulkMinChunk, [&](size_t begin, size_t end) {
    bool valid = true;  // vectorized; the exact scan only to name a bad value
    for (size_t i = begin; i < end; i++) {
      valid &= (std::fabs(open[i]) <= DBL_MAX) & (std::fabs(close[i]) <= DBL_MAX) & (volume[i] >= 0) & (volume[i] <= DBL_MAX);
    }
    if (begin == 0 && end > 0) z[0] = close[0] - open[0];  // priceChanges()
    const size_t from = std::max<size_t>(begin, 1);
    if (mode == 0) {
      for (size_t i = from; i < end; i++) z[i] = close[i] - close[i - 1];
    } else {
      for (size_t i = from; i < end; i++) z[i] = close[i] - open[i];
    }
    if (!valid) bad.store(true, std::memory_order_relaxed);
  });
  if (bad.load()) return false;
  sigma = params.sigmaKind == kSigmaSample ? sampleStd(n, [z](size_t i) { return z[i]; }) : params.sigmaParam;
  return true;
}

// The first bad value of bars the checks refused, as its fault.
Status barFault(const double* open, const double* close, const double* volume, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!isFiniteNumber(open[i])) return fault(Fault::OpenNotFinite, double(i), open[i]);
    if (!isFiniteNumber(close[i])) return fault(Fault::CloseNotFinite, double(i), close[i]);
    if (!(volume[i] >= 0 && volume[i] <= DBL_MAX)) return fault(Fault::BarVolumeInvalid, double(i), volume[i]);
  }
  return Status{};
}

}  // namespace

Status standardizedChanges(const double* open, const double* close, const double* volume, size_t n, const Params& params, double* z) {
  if (params.sigmaKind == kSigmaSample || params.sigmaKind == kSigmaFixed) {
    double sigma = 0;
    if (!changesAndSigma(open, close, volume, n, params, z, sigma)) return barFault(open, close, volume, n);
    parallelFor(n, kBulkMinChunk, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; i++) z[i] = standardized(z[i], sigma);
    });
  } else {
    bool valid = true;  // one vectorized pass; the exact scan only to name a bad value
    for (size_t i = 0; i < n; i++) {
      valid &= (std::fabs(open[i]) <= DBL_MAX) & (std::fabs(close[i]) <= DBL_MAX) & (volume[i] >= 0) & (volume[i] <= DBL_MAX);
    }
    if (!valid) return barFault(open, close, volume, n);
    priceChanges(open, close, n, params.priceChange, z);
    double ewmaVar = NAN;
    std::vector<double> window;
    size_t head = 0;
    const Sigma sigma{params.sigmaKind, params.sigmaParam, 0, &ewmaVar, &window, &head};
    for (size_t i = 0; i < n; i++) z[i] = standardized(z[i], sigma.next(z[i]));
  }
  return Status{};
}

Status bulkClassify(const double* open, const double* close, const double* volume, size_t n, const Params& params, double* buy) {
  // The output holds dP, then z, then the fractions, then the buy volumes: no allocation.
  if (params.sigmaKind == kSigmaSample || params.sigmaKind == kSigmaFixed) {
    // one pass for the checks and dP, sigma, then one for z, F(z) and the buy volume, on the threads
    double sigma = 0;
    if (!changesAndSigma(open, close, volume, n, params, buy, sigma)) return barFault(open, close, volume, n);
    parallelFor(n, kBulkMinChunk, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; i++) buy[i] = standardized(buy[i], sigma);
      buyFractions(buy + begin, end - begin, params.distribution, params.nu, volume + begin);
    });
    return Status{};
  }
  if (Status s = standardizedChanges(open, close, volume, n, params, buy); !s.ok()) return s;
  buyFractions(buy, n, params.distribution, params.nu, volume);
  return Status{};
}

// One aggregation pass (the reference's update() + flush() pour the same bars in the same order).
Status prepareVpin(VpinStream& stream, Doubles ts, Doubles price, Doubles volume, size_t n, const Params& params, size_t& buckets,
                   const int8_t* labels) {
  const Status s = stream.prepare(ts, price, volume, n, true, buckets, labels);
  if (!s.ok()) return s;
  if (params.classifier == 0 && params.sigmaKind == kSigmaSample) stream.setFixedSigma(stream.pendingSampleSigma());
  return Status{};
}

// ---------------------------------------------------------------------------------------------
// Parameters (resolveVpinOptions / resolveClassify in src/kernels/vpin.ts)

namespace {

bool isIntegerIn(double x, double lo, double hi) { return std::floor(x) == x && x >= lo && x <= hi; }

// The classification values packed[0..4] (priceChange, sigmaKind, sigmaParam, distribution, nu);
// `at` is the position of packed[0] in kParamNames.
Status checkClassify(const double* c, size_t at, Params& out) {
  for (size_t i = 0; i < kClassifyParamCount; i++) {
    if (!isFiniteNumber(c[i])) return fault(Fault::ParamInvalid, double(at + i), c[i]);
  }
  if (!isIntegerIn(c[0], 0, 1)) return fault(Fault::ParamInvalid, double(at), c[0]);
  if (!isIntegerIn(c[1], 0, 3)) return fault(Fault::ParamInvalid, double(at + 1), c[1]);
  const int kind = static_cast<int>(c[1]);
  const double param = c[2];
  const bool paramOk = kind == kSigmaFixed     ? param > 0
                       : kind == kSigmaRolling ? isIntegerIn(param, 2, 1e6)
                       : kind == kSigmaEwma    ? param >= 0 && param < 1
                                               : true;
  if (!paramOk) return fault(Fault::ParamInvalid, double(at + 2), param);
  if (!isIntegerIn(c[3], 0, 1)) return fault(Fault::ParamInvalid, double(at + 3), c[3]);
  if (c[3] == 1 && !(c[4] > 0)) return fault(Fault::ParamInvalid, double(at + 4), c[4]);
  out.priceChange = static_cast<int>(c[0]);
  out.sigmaKind = kind;
  out.sigmaParam = param;
  out.distribution = static_cast<int>(c[3]);
  out.nu = c[4];
  return Status{};
}

}  // namespace

Status unpackClassifyParams(const double* packed, size_t n, Params& out) {
  if (n != kClassifyParamCount) return fault(Fault::ParamInvalid, double(kParamCount), double(n));
  return checkClassify(packed, kClassifyOffset, out);
}

Status unpackParams(const double* packed, size_t n, Params& out) {
  if (n != kParamCount) return fault(Fault::ParamInvalid, double(kParamCount), double(n));
  for (size_t i = 0; i < kClassifyOffset; i++) {
    if (!isFiniteNumber(packed[i])) return fault(Fault::ParamInvalid, double(i), packed[i]);
  }
  if (!(packed[0] > 0)) return fault(Fault::ParamInvalid, 0, packed[0]);
  if (!isIntegerIn(packed[1], 1, 1e6)) return fault(Fault::ParamInvalid, 1, packed[1]);
  if (!(packed[2] > 0)) return fault(Fault::ParamInvalid, 2, packed[2]);
  if (!isIntegerIn(packed[3], 0, 2)) return fault(Fault::ParamInvalid, 3, packed[3]);
  if (!isIntegerIn(packed[4], 0, 1e9)) return fault(Fault::ParamInvalid, 4, packed[4]);
  out.bucketVolume = packed[0];
  out.window = static_cast<int64_t>(packed[1]);
  out.barMs = packed[2];
  out.classifier = static_cast<int>(packed[3]);
  out.cdfWindow = static_cast<int64_t>(packed[4]);
  return checkClassify(packed + kClassifyOffset, kClassifyOffset, out);
}

}  // namespace kernelbus::vpin
