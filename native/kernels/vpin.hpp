// VPIN kernels: plain C++17 over pointers and lengths; nothing here knows about N-API.
// Follows src/backends/reference/vpin.ts step by step (same order of floating-point operations), so
// the parity suite can hold the two to 1e-12 relative. Faults are reported, never thrown.
#pragma once

#include <cstddef>
#include <cmath>
#include <cstdint>
#include <vector>

namespace kernelbus::vpin {

// Codes match src/kernels/faults.ts, which turns (code, index, value, previous) into the JS error.
enum class Fault : int {
  None = 0,
  TsNotFinite = 1,
  TsDecreasing = 2,
  TsInClosedBar = 3,
  PriceNotFinite = 4,
  VolumeInvalid = 5,
  TooManyBuckets = 6,
  OpenNotFinite = 7,
  CloseNotFinite = 8,
  BarVolumeInvalid = 9,
  StateInvalid = 10,
  PriceArgNotFinite = 11,
};

struct Status {
  Fault fault = Fault::None;
  double index = 0;
  double value = 0;
  double previous = 0;
  bool ok() const { return fault == Fault::None; }
};

enum SigmaKind : int { kSigmaSample = 0, kSigmaFixed = 1, kSigmaRolling = 2, kSigmaEwma = 3 };

/// Options resolved to numbers (src/kernels/vpin.ts VpinParams, same order).
struct Params {
  double bucketVolume = 1;
  int64_t window = 50;
  double barMs = 60000;
  int classifier = 0;   // 0 bvc, 1 tick
  int priceChange = 0;  // 0 close, 1 intra
  int sigmaKind = kSigmaSample;
  double sigmaParam = 0;
  int distribution = 0;  // 0 normal, 1 Student t
  double nu = 0;
};

/// Most buckets one call may produce (src/kernels/vpin.ts MAX_BUCKETS_PER_CALL).
constexpr double kMaxBucketsPerCall = 10000000;
/// Scalars before the variable-length parts of the state vector (see VpinStream::exportState).
constexpr size_t kStateHeader = 20;

struct Bar {
  double index = 0, open = 0, close = 0, volume = 0, buy = 0, count = 0, lastTs = 0;
};

/// What trade aggregation carries from one batch to the next (reference: TradeState).
struct TradeState {
  bool hasBar = false;
  Bar bar;
  double lastTs = -HUGE_VAL;
  double closedBarIndex = -HUGE_VAL;  // bars <= this were closed by flush()
  double lastPrice = NAN;
  double lastSign = 0;
};

/// Aggregates trades into time bars, appending the bars they close; on a fault `st` is unchanged.
Status aggregate(TradeState& st, double barMs, bool tick, const double* ts, const double* price,
                 const double* volume, size_t n, std::vector<Bar>& closed);
/// Closes the open bar, if any (end of data).
void closeOpenBar(TradeState& st, std::vector<Bar>& closed);

/// Output rows, columnar.
struct Buckets {
  std::vector<double> endTs, buyVolume, sellVolume, vpin, cdf;
  size_t size() const { return endTs.size(); }
};

/// Time-bar columns.
struct TimeBars {
  std::vector<double> start, open, close, volume, count;
};

/// Sorted multiset of doubles with insertion and rank ("how many are <= x") in O(log n + kBlock +
/// blocks): sorted blocks of at most 2 kBlock values, with each block's last value and size kept in
/// contiguous arrays so that finding the block and counting the values before it stay in cache.
class RankedHistory {
 public:
  /// Inserts x and returns the number of values <= x (x included).
  size_t insert(double x);
  size_t size() const { return size_; }
  /// All values, ascending.
  void copyTo(double* out) const;
  void assign(const double* values, size_t n);  // values ascending

 private:
  static constexpr size_t kBlock = 512;
  std::vector<std::vector<double>> blocks_;
  std::vector<double> lasts_;   // blocks_[b].back()
  std::vector<size_t> sizes_;   // blocks_[b].size()
  size_t size_ = 0;
};

/// Streaming VPIN machine: trades -> time bars -> volume buckets.
class VpinStream {
 public:
  /// fixedSigma: the sigma of kSigmaFixed/kSigmaSample (vpin() computes the sample sigma first).
  VpinStream(const Params& params, double fixedSigma);

  /// Adds trades; appends completed buckets to out. On a fault nothing changes.
  Status update(const double* ts, const double* price, const double* volume, size_t n, Buckets& out);
  /// Closes the open bar; appends completed buckets to out.
  Status flush(Buckets& out);

  /// Moves to trade state `next`, pouring the bars that got there into buckets (update/flush use it).
  Status commit(const TradeState& next, const std::vector<Bar>& closed, Buckets& out);

  double bucketCount() const { return bucketCount_; }
  std::vector<double> exportState() const;
  Status importState(const double* state, size_t n);

 private:
  double sigmaNext(double dP);
  double fraction(const Bar& bar);
  void completeBucket(double endTs, Buckets& out);

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
  std::vector<double> imbalances_;  // ring of the last n - 1 |B - S|
  size_t imbHead_ = 0;
  RankedHistory history_;
  std::vector<Bar> closedScratch_;
};

/// Time bars of a trade sequence (fault on bad trades).
Status timeBars(const double* ts, const double* price, const double* volume, size_t n, double barMs,
                TimeBars& out);
/// Tick rule signs (+1/-1/0) into out[n].
Status tickRule(const double* price, size_t n, int8_t* out);
/// Bulk volume classification: buy volume per bar into buy[n].
Status bulkClassify(const double* open, const double* close, const double* volume, size_t n,
                    const Params& params, double* buy);
/// VPIN over a whole trade sequence.
Status vpin(const double* ts, const double* price, const double* volume, size_t n, const Params& params,
            Buckets& out);

}  // namespace kernelbus::vpin
