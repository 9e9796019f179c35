// VPIN kernels: plain C++17 over pointers and lengths; nothing here knows about N-API.
// Follows src/backends/reference/vpin/vpin.ts step by step (same order of floating-point operations), so
// the parity suite can hold the two to 1e-12 relative. Faults are reported, never thrown.
// Defined by job: vpin_bars.cpp (trades into time bars), vpin_small_bars.cpp (its path for bars of a
// trade or two), vpin_classify.cpp (tick rule, bulk classification), vpin_stream.cpp (VpinStream's
// buckets), vpin_state.cpp (its state vector), vpin_history.cpp (RankedHistory), vpin_unpack.cpp (the
// packed parameters); vpin_steps.hpp holds the steps they share.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "doubles.hpp"
#include "generated/vpin.hpp"
#include "memory.hpp"
#include "status.hpp"

namespace kernelbus::vpin {

using kernelbus::Fault;
using kernelbus::Status;

enum SigmaKind : int { kSigmaSample = 0, kSigmaFixed = 1, kSigmaRolling = 2, kSigmaEwma = 3 };

/// The packed parameters, in order (src/kernels/vpin/vpin.ts VPIN_PARAMS: generated/vpin.hpp; a test
/// compares the two lists). The classification parameters are the last kClassifyParamCount.
inline constexpr const auto& kParamNames = kVpinParams;
constexpr size_t kParamCount = sizeof(kParamNames) / sizeof(kParamNames[0]);
constexpr size_t kClassifyParamCount = 5;
constexpr size_t kClassifyOffset = kParamCount - kClassifyParamCount;

/// Options resolved to numbers (src/kernels/vpin/vpin.ts VpinParams).
struct Params {
  double bucketVolume = 1;
  int64_t window = 50;
  double barMs = 60000;
  int classifier = 0;     // 0 bvc, 1 tick, 2 labels (a label per trade, classifyTrades')
  int64_t cdfWindow = 0;  // the CDF ranks among the last cdfWindow VPIN values; 0: among all so far
  int priceChange = 0;    // 0 close, 1 intra
  int sigmaKind = kSigmaSample;
  double sigmaParam = 0;
  int distribution = 0;  // 0 normal, 1 Student t
  double nu = 0;
};

/// Most buckets one call may produce (src/kernels/vpin/vpin.ts MAX_BUCKETS_PER_CALL).
constexpr double kMaxBucketsPerCall = 10000000;
/// Scalars before the variable-length parts of the state vector (see VpinStream::exportState).
constexpr size_t kStateHeader = 22;

/// A time bar (trivial: Bar{} is all zeros, a resized Bars' new bars are left to be written).
struct Bar {
  double index, open, close, volume;
  double buy;  // the tick rule's or the labels' buy volume; smallBars() (BVC and timeBars(), which never
               // read it) leaves its closed bars' unwritten: the store cost 3 % of a 10 ms bar call
  double count, lastTs;
  double firstTs;  // the bar's first trade (lastTs: its last)
};

/// Closed bars, in huge pages when they are many (10 ms bars: a bar for every one or two trades).
using Bars = std::vector<Bar, UninitAllocator<Bar>>;

/// What trade aggregation carries from one batch to the next (reference: TradeState).
struct TradeState {
  bool hasBar = false;
  Bar bar{};
  double lastTs = -HUGE_VAL;
  double closedBarIndex = -HUGE_VAL;  // bars <= this were closed by flush()
  double lastPrice = NAN;
  double lastSign = 0;
};

/// Aggregates trades into time bars, appending the bars they close; on a fault `st` is unchanged.
/// `tick`: each bar's buy volume by the tick rule; `labels` (else nullptr): by the sign of labels[i]
/// (+ the whole volume, - none, 0 half).
Status aggregate(TradeState& st, double barMs, bool tick, Doubles ts, Doubles price, Doubles volume, size_t n, Bars& closed,
                 const int8_t* labels = nullptr);
/// Closes the open bar, if any (end of data).
void closeOpenBar(TradeState& st, Bars& closed);

/// Validates the packed parameters (the rules of VPIN_PARAMS, generated/vpin.hpp) into `out`:
/// kParamCount values for vpin()/streams (a bad value is fault ParamInvalid with its position in
/// kParamNames), or the kClassifyParamCount classification values for bulkClassify() (its position in
/// CLASSIFY_PARAMS).
Status unpackParams(const double* packed, size_t n, Params& out);
Status unpackClassifyParams(const double* packed, size_t n, Params& out);

/// Where a kernel writes bucket rows: seven caller-allocated columns with room for the rows counted
/// by the first pass (prepare).
struct BucketColumns {
  double* startTs;
  double* endTs;
  double* duration;
  double* buyVolume;
  double* sellVolume;
  double* vpin;
  double* cdf;
};

/// The bucket columns in their order (VPIN_BUCKET_OUTPUTS, src/kernels/vpin/vpin.ts; test/native/vpin-outputs.test.ts
/// holds the addon's results to it): their names and the BucketColumns field of each.
constexpr const char* kBucketColumnNames[] = {"startTs", "endTs", "duration", "buyVolume", "sellVolume", "vpin", "cdf"};
constexpr double* BucketColumns::*kBucketColumnFields[] = {
    &BucketColumns::startTs,    &BucketColumns::endTs, &BucketColumns::duration, &BucketColumns::buyVolume,
    &BucketColumns::sellVolume, &BucketColumns::vpin,  &BucketColumns::cdf,
};
constexpr size_t kBucketColumnCount = sizeof(kBucketColumnFields) / sizeof(kBucketColumnFields[0]);
static_assert(sizeof(kBucketColumnNames) / sizeof(kBucketColumnNames[0]) == kBucketColumnCount, "a name per bucket column");
static_assert(sizeof(BucketColumns) == kBucketColumnCount * sizeof(double*), "a field per bucket column");

/// Columns of `rows` rows each, laid one after another from `data` (kBucketColumnCount x rows values).
inline BucketColumns bucketColumnsIn(double* data, size_t rows) {
  BucketColumns c{};
  for (size_t k = 0; k < kBucketColumnCount; k++) c.*kBucketColumnFields[k] = data + k * rows;
  return c;
}

/// Where timeBars writes: five caller-allocated columns, one element per bar.
struct BarColumns {
  double* start;
  double* open;
  double* close;
  double* volume;
  double* count;
};

/// Sorted multiset of doubles with insertion and rank ("how many are <= x") in O(log n + kBlock +
/// blocks): sorted blocks of at most 2 kBlock values, with each block's last value and size kept in
/// contiguous arrays so that finding the block and counting the values before it stay in cache.
class RankedHistory {
 public:
  /// Inserts x and returns the number of values <= x (x included).
  size_t insert(double x);
  /// Removes one value equal to x (x must be held).
  void erase(double x);
  size_t size() const { return size_; }
  /// All values, ascending.
  void copyTo(double* out) const;
  void assign(const double* values, size_t n);  // values ascending

 private:
  static constexpr size_t kBlock = 512;
  std::vector<std::vector<double>> blocks_;
  std::vector<double> lasts_;  // blocks_[b].back()
  std::vector<size_t> sizes_;  // blocks_[b].size()
  size_t size_ = 0;
};

/// Streaming VPIN machine: trades -> time bars -> volume buckets.
class VpinStream {
 public:
  /// fixedSigma: the sigma of kSigmaFixed/kSigmaSample (vpin() computes the sample sigma first).
  VpinStream(const Params& params, double fixedSigma);

  /// Phase 1 of update() (closeAtEnd false), flush() (no trades, closeAtEnd true) and vpin() (all
  /// trades, closeAtEnd true): aggregates the trades into bars and counts the buckets that commit()
  /// will write. On a fault nothing changes and nothing is pending. `labels` (classifier 2, else
  /// nullptr): the trades' labels, +1 buy, -1 sell, 0 half and half (their sign is read).
  /// The trades are aggregated kPrepareChunk at a time into bars that stay in cache; of each bar only
  /// what commit() reads is kept, 16 bytes (its price change or buy fraction, its volume), and its times
  /// where a bucket opens or completes in it. The trades are read once: 10 ms bars are a bar for every
  /// trade or two, and keeping them whole (64 bytes a bar) or aggregating the trades again in commit()
  /// cost more than the rest of the call (issues 44, 52). A long call of long bars is aggregated in
  /// parts on the kernels' threads instead (aggregateInParts(), vpin_parts.cpp), its few bars kept whole.
  Status prepare(Doubles ts, Doubles price, Doubles volume, size_t n, bool closeAtEnd, size_t& buckets, const int8_t* labels = nullptr);
  /// Phase 2: moves to the prepared state, writing the counted buckets into `out`.
  void commit(const BucketColumns& out);
  /// The 'sample' sigma of the bars prepare() closed (sampleStd of their price changes, BVC): vpin()
  /// computes it before commit().
  double pendingSampleSigma() const;
  void setFixedSigma(double sigma) { fixedSigma_ = sigma; }
  /// vpin()'s one-call streams: what prepare() keeps of the bars goes in blocks borrowed from one
  /// spare, and back to it after commit() (the larger pair is kept, up to kSpareMost values), so that
  /// the next call writes into pages already mapped: fresh ones are zeroed by the system first (10^7
  /// trades in 10 ms bars: 115 MB, ~18 ms of a ~140 ms call).
  void borrowSpare();
  void returnSpare();
  static constexpr size_t kSpareMost = size_t{1} << 22;
  /// Trades prepare() aggregates at a time: their bars (64 bytes each, at most a bar a trade) stay in
  /// the core's cache.
  static constexpr size_t kPrepareChunk = size_t{1} << 12;

  double bucketCount() const { return bucketCount_; }
  /// Length of the state vector, then the vector itself into out[stateSize()]; `history` false: without
  /// the CDF history (its length 0), what an incremental checkpoint stores.
  size_t stateSize(bool history = true) const;
  void exportState(double* out, bool history = true) const;
  Status importState(const double* state, size_t n);

 private:
  /// What prepare() does with the bars of a chunk (in pending_): adds their volume to `total`, counts
  /// the buckets they complete (until `total` says there are too many) and keeps what commit() reads
  /// of them (prevClose: the close before them, BVC's price changes).
  void countBars(double& total, double& filled, double& prevClose, size_t& buckets);
  void clearPending();
  struct BarTimes;
  void pourEdge(double volume, double f, const BarTimes& t, const BucketColumns& out, size_t& row);
  double sigmaNext(double dP);
  void completeBucket(double startTs, double endTs, const BucketColumns& out, size_t row);

  Params p_;
  double fixedSigma_;
  TradeState trades_;
  // Bar-level state
  double prevClose_;
  double ewmaVar_;
  std::vector<double> dpWindow_;  // ring of the last k dP values
  size_t dpHead_ = 0;             // index of the oldest value when full
  double filled_ = 0;
  double bucketBuy_ = 0;
  double bucketCount_ = 0;
  double bucketStart_ = NAN;        // the open bucket's first trade (meaningful while filled_ > 0; NaN: unknown)
  std::vector<double> imbalances_;  // ring of the last n - 1 |B - S|
  size_t imbHead_ = 0;
  RankedHistory history_;
  std::vector<double> cdfRing_;  // cdfWindow > 0: ring of the last cdfWindow VPIN values (history_ holds them sorted)
  size_t cdfHead_ = 0;           // index of the oldest value when full
  TradeState next_;              // the trade state prepare() reached
  double nextPrevClose_ = NAN;   // the close of the last bar it closed (BVC), prevClose_ after commit()
  Bars pending_;                 // the bars of the chunk prepare() aggregates
  // What prepare() keeps of each bar it closed, in order: its price change (BVC) or its buy fraction
  // (tick rule, labels), its volume; and the times of the bars where a bucket opens or completes.
  std::vector<double, UninitAllocator<double>> changes_;
  std::vector<double, UninitAllocator<double>> volumes_;
  struct BarTimes {
    double firstTs, lastTs;
  };
  std::vector<BarTimes> edges_;
};

/// Time bars of a trade sequence (fault on bad trades), then their columns into `out` (bars.size() rows).
Status timeBars(Doubles ts, Doubles price, Doubles volume, size_t n, double barMs, Bars& bars);
void writeTimeBars(const Bars& bars, double barMs, const BarColumns& out);
/// Tick rule signs (+1/-1/0) into out[n].
Status tickRule(const double* price, size_t n, int8_t* out);
/// Bulk volume classification: buy volume per bar into buy[n].
Status bulkClassify(const double* open, const double* close, const double* volume, size_t n, const Params& params, double* buy);
/// bulkClassify()'s first part (the same checks and faults): each bar's standardized price change
/// dP / sigma into z[n], NaN where the buy fraction is 1/2 (sigma not > 0, or z NaN). The buy volume is
/// then volume[i] F(z[i]) (F the normal or Student-t CDF), or volume[i] / 2 where z[i] is NaN: what
/// another backend computes its own way (the Metal backend's fractions, native/metal/host_vpin.cpp).
Status standardizedChanges(const double* open, const double* close, const double* volume, size_t n, const Params& params, double* z);
/// Phase 1 of VPIN over a whole trade sequence: `stream` (constructed with `params`) holds the bars and
/// the 'sample' sigma when asked for; its commit() writes the `buckets` rows.
Status prepareVpin(VpinStream& stream, Doubles ts, Doubles price, Doubles volume, size_t n, const Params& params, size_t& buckets,
                   const int8_t* labels = nullptr);

}  // namespace kernelbus::vpin
