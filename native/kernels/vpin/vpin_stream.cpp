// VpinStream's bucket filling (vpin.hpp): prepare() counts the buckets the trades complete, commit()
// writes them. Follows ReferenceVpinStream and BucketState in src/backends/reference/vpin/vpin.ts; its state
// vector is vpin_state.cpp's.
#include <algorithm>
#include <cmath>
#include <mutex>

#include "vpin.hpp"
#include "vpin_steps.hpp"

namespace kernelbus::vpin {
namespace {

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

// Whether pourBar() takes only a partial(volume) step: the bar's volume, > 0, stays in the open
// bucket (most bars). A bar with volume > 0 that does not is an edge: a bucket opens or completes in it.
inline bool insideBucket(double volume, double V, double filled) { return filled > 0 && volume < V - filled; }

// The spare blocks of borrowSpare() and returnSpare().
struct Spare {
  std::mutex lock;
  std::vector<double, UninitAllocator<double>> changes, volumes;
};
Spare& spare() {
  static Spare s;
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// VpinStream (ReferenceVpinStream + BucketState)

VpinStream::VpinStream(const Params& params, double fixedSigma) : p_(params), fixedSigma_(fixedSigma), prevClose_(NAN), ewmaVar_(NAN) {}

Status VpinStream::prepare(Doubles ts, Doubles price, Doubles volume, size_t n, bool closeAtEnd, size_t& buckets, const int8_t* labels) {
  next_ = trades_;
  clearPending();
  buckets = 0;
  // the labels classifier reads a label per trade; the others read none
  if (n > 0 && (p_.classifier == 2) != (labels != nullptr)) return fault(Fault::ParamInvalid, 3, p_.classifier);
  if (n > 0) {
    // at most a bar a barMs the trades span, and the open one: one block each, its pages touched as
    // they are written (no regrowth copies; NaN or negative when the times are bad: none reserved)
    const double span = std::floor(ts[n - 1] / p_.barMs) - std::floor(ts[0] / p_.barMs) + 2;
    const size_t most = span > 0 ? static_cast<size_t>(std::min(span, static_cast<double>(n))) + 1 : 0;
    changes_.reserve(most);
    volumes_.reserve(most);
  }
  double total = filled_;
  double filled = filled_;
  double prevClose = prevClose_;
  // the trades of a long call on the kernels' threads, then their bars counted at once
  Status parts;
  if (aggregateInParts(next_, p_.barMs, p_.classifier == 1, ts, price, volume, n, pending_, labels, parts)) {
    if (!parts.ok()) {
      clearPending();
      return parts;
    }
    if (closeAtEnd) closeOpenBar(next_, pending_);
    countBars(total, filled, prevClose, buckets);
  } else {
    // a chunk of kPrepareChunk trades, or 16 times that after one whose bars were few (long bars: a
    // chunk's fixed cost, the call and the count, was 3 % of a 60 s bar call at 4096 trades)
    size_t chunk = kPrepareChunk, at = 0;
    do {
      const size_t len = std::min(chunk, n - at);
      pending_.clear();
      Status s =
          aggregate(next_, p_.barMs, p_.classifier == 1, ts + at, price + at, volume + at, len, pending_, labels ? labels + at : nullptr);
      if (!s.ok()) {
        clearPending();
        s.index += static_cast<double>(at);
        return s;
      }
      if (closeAtEnd && at + len == n) closeOpenBar(next_, pending_);
      countBars(total, filled, prevClose, buckets);
      at += len;
      chunk = 64 * pending_.size() <= len ? 16 * kPrepareChunk : kPrepareChunk;
    } while (at < n);
  }
  pending_.clear();
  nextPrevClose_ = prevClose;
  // BucketState.checkBucketCount()
  const double estimate = total / p_.bucketVolume;
  if (!(estimate <= kMaxBucketsPerCall)) {
    clearPending();
    return fault(Fault::TooManyBuckets, 0, std::ceil(estimate));
  }
  return Status{};
}

void VpinStream::clearPending() {
  pending_.clear();
  changes_.clear();
  volumes_.clear();
  edges_.clear();
}

void VpinStream::borrowSpare() {
  Spare& s = spare();
  const std::lock_guard<std::mutex> hold(s.lock);
  changes_.swap(s.changes);
  volumes_.swap(s.volumes);
}

void VpinStream::returnSpare() {
  clearPending();
  if (changes_.capacity() + volumes_.capacity() > kSpareMost) return;  // freed with the stream
  Spare& s = spare();
  const std::lock_guard<std::mutex> hold(s.lock);
  if (changes_.capacity() + volumes_.capacity() > s.changes.capacity() + s.volumes.capacity()) {
    changes_.swap(s.changes);
    volumes_.swap(s.volumes);
  }
}

// The pour of commit(), counting only (the same arithmetic, so the count is exact); none once the
// total says there are too many buckets (prepare() then fails: the count is not needed, and a bar's
// pour could take as many steps as the buckets it completes).
void VpinStream::countBars(double& total, double& filled, double& prevClose, size_t& buckets) {
  const bool bvc = p_.classifier == 0;
  // total / V <= kMaxBucketsPerCall, with room for its rounding (the exact test is prepare()'s)
  const double most = kMaxBucketsPerCall * p_.bucketVolume * (1 + 1e-9);
  // the sums in locals (through the references, each bar's would wait on a store)
  double sum = total, inBucket = filled, close = prevClose;
  size_t count = buckets;
  const size_t from = volumes_.size(), bars = pending_.size();
  changes_.resize(from + bars);
  volumes_.resize(from + bars);
  double* x = changes_.data() + from;
  double* v = volumes_.data() + from;
  for (size_t b = 0; b < bars; b++) {
    const Bar& bar = pending_[b];
    sum += bar.volume;
    if (sum <= most && bar.volume > 0) {
      if (insideBucket(bar.volume, p_.bucketVolume, inBucket)) {
        inBucket += bar.volume;
      } else {
        pourBar(
            bar.volume, p_.bucketVolume, inBucket, [] {}, [&](double) { count++; }, [](double) {});
        edges_.push_back(BarTimes{bar.firstTs, bar.lastTs});
      }
    }
    if (bvc) {
      x[b] = priceChange(p_.priceChange, bar.open, bar.close, close);
      close = bar.close;
    } else {  // BucketState.fraction() of the tick rule and the labels
      x[b] = bar.volume > 0 ? bar.buy / bar.volume : 0.5;
    }
    v[b] = bar.volume;
  }
  total = sum;
  filled = inBucket;
  prevClose = close;
  buckets = count;
}

double VpinStream::pendingSampleSigma() const {
  return sampleStd(changes_.size(), [this](size_t i) { return changes_[i]; });
}

// commit() + BucketState.addBars() over what prepare() kept of the bars, kChunk bars at a time: their
// fractions (the CDF vectorizes over them), then their pour, bar by bar.
void VpinStream::commit(const BucketColumns& out) {
  trades_ = next_;
  const bool bvc = p_.classifier == 0;
  // BVC with one sigma for every bar: each fraction a function of the bar's price change alone
  const bool oneSigma = bvc && (p_.sigmaKind == kSigmaSample || p_.sigmaKind == kSigmaFixed);
  const double V = p_.bucketVolume;
  double fractions[kChunk];
  Memo memo;
  // the open bucket's sums in locals, through a loop without a call (around one, they would live on
  // the stack, and each bar wait on a store)
  double filled = filled_, buy = bucketBuy_;
  size_t row = 0;
  size_t edge = 0;
  const size_t bars = volumes_.size();
  for (size_t from = 0; from < bars; from += kChunk) {
    const size_t len = std::min(kChunk, bars - from);
    const double* x = changes_.data() + from;
    if (oneSigma) {
      const auto compute = [&](double* y, size_t m) {
        for (size_t k = 0; k < m; k++) y[k] = standardized(y[k], fixedSigma_);
        buyFractions(y, m, p_.distribution, p_.nu);
      };
      if (bars > kChunk) {  // the memo, where it can pay for its setup
        memo.map(x, fractions, len, compute);
      } else {
        std::copy(x, x + len, fractions);
        compute(fractions, len);
      }
    } else if (bvc) {
      for (size_t k = 0; k < len; k++) fractions[k] = standardized(x[k], sigmaNext(x[k]));
      buyFractions(fractions, len, p_.distribution, p_.nu);
    } else {
      std::copy(x, x + len, fractions);
    }
    const double* v = volumes_.data() + from;
    for (size_t k = 0; k < len; k++) {
      if (!(v[k] > 0)) continue;  // no volume poured
      if (insideBucket(v[k], V, filled)) {
        buy += v[k] * fractions[k];
        filled += v[k];
      } else if (edge < edges_.size()) {  // an edge: prepare() kept its times, the next ones (always there)
        filled_ = filled;
        bucketBuy_ = buy;
        pourEdge(v[k], fractions[k], edges_[edge++], out, row);
        filled = filled_;
        buy = bucketBuy_;
      }
    }
  }
  filled_ = filled;
  bucketBuy_ = buy;
  if (bvc) prevClose_ = nextPrevClose_;
  clearPending();
}

// commit()'s pour of a bar in which a bucket opens or completes (`t` its times), from the members.
void VpinStream::pourEdge(double volume, double f, const BarTimes& t, const BucketColumns& out, size_t& row) {
  pourBar(
      volume, p_.bucketVolume, filled_, [&] { bucketStart_ = t.firstTs; },
      [&](double need) {
        bucketBuy_ += need * f;
        completeBucket(bucketStart_, t.lastTs, out, row++);
      },
      [&](double rest) { bucketBuy_ += rest * f; });
}

double VpinStream::sigmaNext(double dP) {
  return Sigma{p_.sigmaKind, p_.sigmaParam, fixedSigma_, &ewmaVar_, &dpWindow_, &dpHead_}.next(dP);
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

// One aggregation pass (the reference's update() + flush() pour the same bars in the same order).
Status prepareVpin(VpinStream& stream, Doubles ts, Doubles price, Doubles volume, size_t n, const Params& params, size_t& buckets,
                   const int8_t* labels) {
  const Status s = stream.prepare(ts, price, volume, n, true, buckets, labels);
  if (!s.ok()) return s;
  if (params.classifier == 0 && params.sigmaKind == kSigmaSample) stream.setFixedSigma(stream.pendingSampleSigma());
  return Status{};
}

}  // namespace kernelbus::vpin
