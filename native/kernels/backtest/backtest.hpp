// The backtest family: vectorbt 1.1.0's from_signals and from_orders simulations, the series and exit
// trades derived from their order records. The twin of src/simulation/ (orders.ts, loops.ts,
// records.ts, statistics.ts), operation for operation; docs/backtest.md states the conventions. Plain
// C++17 over pointers, no N-API: native/binding/backtest_binding.cc reads the Simulation and StatsInput
// records into these structs (their readers generated from src/kernels/backtest/backtest-records.ts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "memory.hpp"

namespace kernelbus::backtest {

/// A per-element argument (vectorbt's flexible indexing): data[(rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : col)].
template <typename T>
struct Flex {
  const T* data = nullptr;
  size_t rows = 0;
  size_t cols = 0;
  size_t length() const { return rows * cols; }
  T at(size_t i, size_t col) const { return data[(rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : col)]; }
};

constexpr int kSignals = 0;
constexpr int kOrders = 1;

/// One backtest, as src/kernels/backtest/backtest.ts `Simulation` (checked by the API and the binding).
struct Simulation {
  int kind = kSignals;
  size_t rows = 0, cols = 0;
  Flex<double> close, open, high, low;  // open/high/low: length 0 when absent
  const int32_t* groupLens = nullptr;   // columns per cash group
  size_t groups = 0;
  const double* initCash = nullptr;  // per cash group
  bool autoCallSeq = false, lsMode = false, useStops = false;
  Flex<uint8_t> entries, exits, shortEntries, shortExits;
  Flex<double> direction, size, sizeType, price, fees, fixedFees, slippage, minSize, accumulate, uponOppositeEntry, slStop, slTrail, tpStop;
};

/// Signals given as numbers as the bytes a Simulation reads: out[i] = 1 where x[i] is non-zero and not
/// NaN, else 0 (the reference's test, src/simulation/loops.ts `on`), for each element type of a typed
/// array that is not bytes already; on the pool's threads (signals.cpp).
void signalBytes(const double* x, size_t n, uint8_t* out);
void signalBytes(const float* x, size_t n, uint8_t* out);
void signalBytes(const int16_t* x, size_t n, uint8_t* out);
void signalBytes(const uint16_t* x, size_t n, uint8_t* out);
void signalBytes(const int32_t* x, size_t n, uint8_t* out);
void signalBytes(const uint32_t* x, size_t n, uint8_t* out);
void signalBytes(const int64_t* x, size_t n, uint8_t* out);
void signalBytes(const uint64_t* x, size_t n, uint8_t* out);

/// The faults a simulation raises (src/kernels/backtest/backtest.ts SIM_FAULTS, in its order).
enum class SimFault : int {
  None = 0,
  Price,
  LongOnly,
  ShortOnly,
  PercentReversal,
  NegativeSize,
  SignalsSizeType,
  InfiniteShort,
  Account,
  ValPrice,
  InfiniteLong,
  Fill
};

/// Where a simulation stopped: the fault, the bar, the column and the value.
struct FaultAt {
  SimFault fault = SimFault::None;
  size_t row = 0, col = 0;
  double value = 0;
  bool ok() const { return fault == SimFault::None; }
};

/// A record field's values: blocks from 1 MB on whole 2 MB pages, and values resize() adds left
/// unzeroed (each is written after). A grid's records in the making are tens of MB a call, and fresh
/// 4 KB pages cost more than the simulation itself on a virtual machine (docs/backtest.md).
using Values = std::vector<double, HugeAlignedAllocator<double>>;

/// Order records (vectorbt's order_dt less id: a record's id is its position).
struct Orders {
  Values col, idx, size, price, fees, side;
  size_t count() const { return col.size(); }
  void push(size_t i, size_t c, double sz, double p, double f, double sd) {
    col.push_back(double(c));
    idx.push_back(double(i));
    size.push_back(sz);
    price.push_back(p);
    fees.push_back(f);
    side.push_back(sd);
  }
  /// `from`'s records after these.
  void append(const Orders& from) {
    Values* to[] = {&col, &idx, &size, &price, &fees, &side};
    const Values* of[] = {&from.col, &from.idx, &from.size, &from.price, &from.fees, &from.side};
    for (size_t f = 0; f < 6; f++) to[f]->insert(to[f]->end(), of[f]->begin(), of[f]->end());
  }
};

/// Exit trade records (vectorbt's trade_dt; id and positionId counted over the whole result).
constexpr size_t kTradeFields = 14;
struct Trades {
  Values fields[kTradeFields];  // in TRADE_FIELDS' order: id, col, size, entryIdx, ...
  size_t count() const { return fields[0].size(); }
};

/// What simulate() writes: the records of each chunk of columns, in column order (vectorbt's order is
/// theirs in turn). A field of the whole result is the chunks' in turn, written where its reader wants
/// it (orderField, tradeField: the addon's arrays) with no copy joined in between.
struct Records {
  struct Part {
    Orders orders;
    Trades trades;
    size_t positions = 0;  // exit trades' position ids used
  };
  std::vector<Part> parts;
  size_t orderCount() const;
  size_t tradeCount() const;
  /// Order field f (0..5: col, idx, size, price, fees, side) of the whole result into `to` (orderCount() values).
  void orderField(size_t f, double* to) const;
  /// Trade field f (kTradeFields' order) of the whole result into `to` (tradeCount() values): ids count
  /// over the whole result, position ids are offset by the parts before.
  void tradeField(size_t f, double* to) const;
  /// Every field of the whole result: `orders` the 7 order fields (the id, then orderField's 0..5,
  /// orderCount() values each), `trades` tradeField's (tradeCount() values each); a large result's
  /// fields on the pool's threads.
  void write(double* const* orders, double* const* trades) const;
};

/// What run() writes: the records joined, a vector a field (the series are made from them on request: series()).
struct Output {
  Orders orders;
  Trades trades;
};

/// What a result's series are made of (src/kernels/backtest/backtest.ts SeriesInput): the close, the
/// value groups (columns each, summing to cols) and their initial cash, the order records' columns.
struct SeriesInput {
  size_t rows = 0, cols = 0, groups = 0;
  Flex<double> close;
  const int32_t* groupLens = nullptr;
  const double* initCash = nullptr;
  size_t orderCount = 0;
  const double *col = nullptr, *idx = nullptr, *size = nullptr, *price = nullptr, *fees = nullptr, *side = nullptr;
};

/// Where series() writes a result's series: assets T x K, cash and value T x G (row-major); null: not asked for.
struct SeriesOut {
  double* assets = nullptr;
  double* cash = nullptr;
  double* value = nullptr;
};

/// The series `out` asks for of `in` (every element of each written), in one pass: vectorbt's
/// derivation from the records (the twin of src/simulation/records.ts backtestSeries), the value
/// groups shared out between threads.
void series(const SeriesInput& in, const SeriesOut& out);

/// The value of value groups [g0, g1) (their columns [c0, c1)) as series() makes it, the same bits: T
/// rows of g1 - g0 into `to`, on the calling thread. `records`: the order records of those columns, each
/// column's in record order (the columns in any order).
void groupValues(const SeriesInput& in, size_t g0, size_t g1, size_t c0, size_t c1, const std::vector<size_t>& records, double* to);

/// Whether `in` is one series() accepts (checkStats' rules); else the field and what it must be.
bool checkSeries(const SeriesInput& in, std::string& argument, std::string& expected);

/// What stats() reads (src/kernels/backtest/backtest-stats.ts StatsInput): the result's value per
/// value group (T x G; empty where no field asked for reads it, or made from the records by stats()), the close, the order and trade
/// records' columns.
constexpr size_t kStatFields = 25;
struct StatsInput {
  size_t rows = 0, cols = 0, groups = 0;
  const int32_t* groupLens = nullptr;  // columns per value group
  const double* initCash = nullptr;    // per value group
  const double* value = nullptr;       // T x G, or valueLength 0 (then made where read)
  size_t valueLength = 0;
  Flex<double> close;
  size_t orderCount = 0;
  const double *col = nullptr, *idx = nullptr, *size = nullptr, *price = nullptr, *fees = nullptr, *side = nullptr;
  size_t tradeCount = 0;
  const double *tradeCol = nullptr, *entryIdx = nullptr, *exitIdx = nullptr, *pnl = nullptr, *ret = nullptr, *status = nullptr;
};

/// Every stat field: bit f of a `want` mask is field f (STAT_FIELDS' order).
constexpr uint32_t kAllStats = (uint32_t{1} << kStatFields) - 1;

/// Portfolio.stats() of each value group into `out` (G rows of kStatFields, in STAT_FIELDS' order),
/// the groups shared out between threads. Only the fields of `want` are computed (the work only they
/// need is skipped); the others are NaN.
void stats(const StatsInput& in, double periodsPerYear, double* out, uint32_t want = kAllStats);

/// Whether `in` is one stats() accepts (lengths, columns and indices in range; the value T x G or none,
/// which stats() then makes from the records where a field reads it); else the field and what it must be.
bool checkStats(const StatsInput& in, std::string& argument, std::string& expected);

/// Runs `sim` with value groups `valueGroups` (columns each, summing to cols; a cash group lies in one),
/// the value groups shared out between threads, into its records (vectorbt's order) and exit trades,
/// chunk by chunk; stops at the first fault.
FaultAt simulate(const Simulation& sim, const int32_t* valueGroups, size_t valueGroupCount, Records& out);

/// simulate(), its records joined into `out`.
FaultAt run(const Simulation& sim, const int32_t* valueGroups, size_t valueGroupCount, Output& out);

}  // namespace kernelbus::backtest
