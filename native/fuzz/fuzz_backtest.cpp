// libFuzzer target of the backtest simulation (native/kernels/backtest: checkSimulation(), run()), the
// Simulation record as the binding reads it. Decoded from the bytes: kind (signals, orders), T in
// 1..64 bars, K in 1..20 columns, a close of 1 or K columns (a price walk with NaN, 0, negative, +-inf,
// subnormal and huge values mixed in), open/high/low or not, cash groups (sharing or not) and value
// groups, initial cash, every per-element argument as a scalar, a row, a column or T x K (fees, fixed
// fees, slippage, min size, sizes with +-inf/NaN/negative for orders, size types, directions,
// accumulation and opposite-entry modes, stops and trailing), and signals.
// Most records are inside the contract (what src/kernels/backtest/backtest-resolve.ts makes: each of
// them must pass checkSimulation); one in 16 takes arbitrary shapes, codes, groups and values, which
// checkSimulation refuses (naming a field) or, if it accepts them, which must run like any other.
// Invariants of a run: no crash, no sanitizer report; a fault is one of its kind's, in range (only Price
// where no column can go short); else every series cell written, and vectorbt's invariants:
//  - at most one order per bar and column, idx < T, col < K, side 0 or 1; the order's price (before
//    slippage: the close, the open or previous close, the price given) finite and > 0 and the fill
//    price exactly it x (1 +- slippage), or a stop's (its level or the open) finite and > 0; records
//    grouped by cash group, idx non-decreasing within one;
//  unless a series overflowed (floats beyond the doubles' range: overflowed()):
//  - size > 0, fill price finite > 0, fees >= 0;
//  - cash never below 0 (1e-9 of the cash's scale), assets never below 0 where no column can go short;
//  - value = cash + sum of assets x the close filled forward then backward, per value group;
//  - trade ids 0..n-1, position ids and trade columns non-decreasing, sizes > 0, entry <= exit < T;
//  - the statistics with the value made from the records equal those with the series' value, bit for bit;
//  - one thread and two give the same bytes (records, series, fault).
// And signalBytes() of the input read as each element type it takes (doubles, floats, 16-, 32- and 64-bit
// integers): 1 where non-zero and not NaN, on one thread and two.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "backtest/backtest.hpp"
#include "backtest/check.hpp"
#include "backtest_input.hpp"
#include "calls.hpp"
#include "input.hpp"
#include "invariants.hpp"
#include "parallel.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;
namespace bt = kernelbus::backtest;

namespace {

using fuzz::backtest_input::Case;
using fuzz::backtest_input::Decoder;
using fuzz::backtest_input::dump;
using fuzz::backtest_input::dumping;

/// One run: the fault, the records and the series made from them (pre-filled with a value no kernel writes).
struct Run {
  bt::FaultAt fault;
  bt::Output out;
  std::vector<double> initCash, assets, cash, value;
};

Run simulate(const Case& c, size_t threads) {
  Run r;
  const size_t T = c.sim.rows, K = c.sim.cols, G = c.valueGroups.size();
  r.assets = fuzz::unwritten(T * K);
  r.cash = fuzz::unwritten(T * G);
  r.value = fuzz::unwritten(T * G);
  setThreadCount(threads);
  r.fault = bt::run(c.sim, c.valueGroups.data(), G, r.out);
  if (r.fault.ok()) {
    // the value groups' initial cash: their cash groups' (a cash group lies in one value group)
    r.initCash.assign(G, 0.0);
    for (size_t g = 0, col = 0, cashGroup = 0; g < G; g++)
      for (const size_t end = col + size_t(c.valueGroups[g]); col < end; col += size_t(c.sim.groupLens[cashGroup++]))
        r.initCash[g] += c.sim.initCash[cashGroup];
    bt::SeriesInput in;
    in.rows = T;
    in.cols = K;
    in.groups = G;
    in.close = c.sim.close;
    in.groupLens = c.valueGroups.data();
    in.initCash = r.initCash.data();
    const bt::Orders& o = r.out.orders;
    in.orderCount = o.count();
    in.col = o.col.data(), in.idx = o.idx.data(), in.size = o.size.data(), in.price = o.price.data(), in.fees = o.fees.data();
    in.side = o.side.data();
    std::string argument, expected;
    require(bt::checkSeries(in, argument, expected));
    // all three in one pass, and each alone: the same bits
    bt::SeriesOut all{r.assets.data(), r.cash.data(), r.value.data()};
    bt::series(in, all);
    std::vector<double> alone = fuzz::unwritten(T * K);
    bt::series(in, bt::SeriesOut{alone.data(), nullptr, nullptr});
    require(fuzz::sameBits(alone, r.assets));
    alone = fuzz::unwritten(T * G);
    bt::series(in, bt::SeriesOut{nullptr, alone.data(), nullptr});
    require(fuzz::sameBits(alone, r.cash));
    alone = fuzz::unwritten(T * G);
    bt::series(in, bt::SeriesOut{nullptr, nullptr, alone.data()});
    require(fuzz::sameBits(alone, r.value));
    // the statistics with the value made from the records a chunk at a time, and with it given: the same bits
    bt::StatsInput st;
    st.rows = T, st.cols = K, st.groups = G, st.groupLens = in.groupLens, st.initCash = in.initCash, st.close = in.close;
    st.orderCount = in.orderCount, st.col = in.col, st.idx = in.idx, st.size = in.size, st.price = in.price, st.fees = in.fees;
    st.side = in.side;
    const bt::Values* t = r.out.trades.fields;
    st.tradeCount = r.out.trades.count();
    st.tradeCol = t[1].data(), st.entryIdx = t[3].data(), st.exitIdx = t[6].data(), st.pnl = t[9].data(), st.ret = t[10].data();
    st.status = t[12].data();
    require(bt::checkStats(st, argument, expected));
    std::vector<double> made = fuzz::unwritten(G * bt::kStatFields), given = fuzz::unwritten(G * bt::kStatFields);
    bt::stats(st, 252, made.data());
    st.value = r.value.data(), st.valueLength = T * G;
    bt::stats(st, 252, given.data());
    require(fuzz::sameBits(made, given));
  }
  setThreadCount(0);
  return r;
}

void dump(const Case& c, const Run& r) {
  const bt::FaultAt& f = r.fault;
  std::fprintf(stderr, "fault %d row %zu col %zu value %.17g\n", int(f.fault), f.row, f.col, f.value);
  const bt::Orders& o = r.out.orders;
  for (size_t k = 0; k < o.count(); k++)
    std::fprintf(stderr, "order %zu: col %g idx %g size %.17g price %.17g fees %.17g side %g\n", k, o.col[k], o.idx[k], o.size[k],
                 o.price[k], o.fees[k], o.side[k]);
  if (!f.ok()) return;
  const bt::Trades& t = r.out.trades;
  for (size_t k = 0; k < t.count(); k++) {
    std::fprintf(stderr, "trade");
    for (size_t f = 0; f < bt::kTradeFields; f++) std::fprintf(stderr, " %.17g", t.fields[f][k]);
    std::fprintf(stderr, "\n");
  }
  const size_t K = c.sim.cols, G = c.valueGroups.size();
  for (size_t i = 0; i < c.sim.rows; i++) {
    std::fprintf(stderr, "bar %zu: assets", i);
    for (size_t col = 0; col < K; col++) std::fprintf(stderr, " %.17g", r.assets[i * K + col]);
    std::fprintf(stderr, " cash");
    for (size_t g = 0; g < G; g++) std::fprintf(stderr, " %.17g", r.cash[i * G + g]);
    std::fprintf(stderr, " value");
    for (size_t g = 0; g < G; g++) std::fprintf(stderr, " %.17g", r.value[i * G + g]);
    std::fprintf(stderr, "\n");
  }
}

bool sameRun(const Run& a, const Run& b) {
  const bt::FaultAt &fa = a.fault, &fb = b.fault;
  if (fa.fault != fb.fault || fa.row != fb.row || fa.col != fb.col ||
      !fuzz::sameBits(std::vector<double>{fa.value}, std::vector<double>{fb.value}))
    return false;
  if (!fa.ok()) return true;  // the series of a run that faulted are partly written (by chunks before and after)
  const bt::Orders &oa = a.out.orders, &ob = b.out.orders;
  bool same = fuzz::sameBits(oa.col, ob.col) && fuzz::sameBits(oa.idx, ob.idx) && fuzz::sameBits(oa.size, ob.size) &&
              fuzz::sameBits(oa.price, ob.price) && fuzz::sameBits(oa.fees, ob.fees) && fuzz::sameBits(oa.side, ob.side);
  for (size_t f = 0; f < bt::kTradeFields; f++) same &= fuzz::sameBits(a.out.trades.fields[f], b.out.trades.fields[f]);
  return same && fuzz::sameBits(a.assets, b.assets) && fuzz::sameBits(a.cash, b.cash) && fuzz::sameBits(a.value, b.value);
}

bool allOf(const bt::Flex<double>& f, double x) {
  for (size_t k = 0; k < f.length(); k++)
    if (f.data[k] != x) return false;
  return true;
}

/// Whether no column can ever hold a short position: from_signals without short signals and direction
/// long everywhere, or from_orders with direction long everywhere; and no sell of a percent above 1 (as
/// vectorbt's, a long-only sell of 150 % of the position goes short, and the column's next order raises
/// LongOnly).
bool longOnly(const bt::Simulation& s) {
  if (!((s.kind == bt::kOrders || !s.lsMode) && allOf(s.direction, 0))) return false;
  for (size_t i = 0; i < s.rows; i++)
    for (size_t col = 0; col < s.cols; col++)
      if (s.sizeType.at(i, col) == 2 && std::fabs(s.size.at(i, col)) > 1) return false;
  return true;
}

/// The order price of bar i before slippage where no stop fires (loops.cpp's orderPrice, restated).
double basePrice(const bt::Simulation& s, size_t i, size_t col) {
  const double p = s.price.at(i, col);
  if (p == INFINITY) return s.close.at(i, col);
  if (p == -INFINITY) {
    const double open = s.kind == bt::kSignals && s.open.length() > 0 ? s.open.at(i, col) : NAN;
    if (!std::isnan(open)) return open;
    return i > 0 ? s.close.at(i - 1, col) : NAN;
  }
  return p;
}

void checkOrders(const Case& c, const Run& r) {
  const bt::Simulation& s = c.sim;
  const size_t T = s.rows, K = s.cols;
  const bt::Orders& o = r.out.orders;
  const size_t n = o.count();
  require(o.idx.size() == n && o.size.size() == n && o.price.size() == n && o.fees.size() == n && o.side.size() == n);
  std::vector<size_t> cashGroup(K);
  for (size_t g = 0, col = 0; g < s.groups; g++)
    for (int32_t k = 0; k < s.groupLens[g]; k++) cashGroup[col++] = g;
  std::vector<uint8_t> seen(T * K, 0);
  const bool stopsMayFire = s.kind == bt::kSignals && s.useStops;
  for (size_t r_ = 0; r_ < n; r_++) {
    const double colD = o.col[r_], idxD = o.idx[r_];
    require(colD >= 0 && colD < double(K) && std::floor(colD) == colD);
    require(idxD >= 0 && idxD < double(T) && std::floor(idxD) == idxD);
    const size_t col = size_t(colD), i = size_t(idxD);
    require(!seen[i * K + col]);  // one order per bar and column
    seen[i * K + col] = 1;
    require(o.side[r_] == 0 || o.side[r_] == 1);
    const bool buy = o.side[r_] == 0;
    // records in vectorbt's order: by cash group, then bar
    if (r_ > 0) {
      const size_t prev = cashGroup[size_t(o.col[r_ - 1])];
      require(prev <= cashGroup[col]);
      if (prev == cashGroup[col]) require(o.idx[r_ - 1] <= idxD);
    }
    // the order's price finite > 0, and filled at it x (1 +- slippage), but for a stop's (its level
    // or the open, without slippage, finite > 0: else a Price fault)
    const double slippage = s.slippage.at(i, col);
    const double base = basePrice(s, i, col);
    const double expected = buy ? base * (1 + slippage) : base * (1 - slippage);
    const bool atBase = fuzz::sameBits(std::vector<double>{o.price[r_]}, std::vector<double>{expected}) && std::isfinite(base) && base > 0;
    require(atBase || (stopsMayFire && std::isfinite(o.price[r_]) && o.price[r_] > 0));
  }
}

/// The fills, past the known divergences: size > 0, price finite > 0, fees >= 0 (finite where the
/// notional is).
void checkFills(const Case& c, const Run& r) {
  const bt::Orders& o = r.out.orders;
  for (size_t k = 0; k < o.count(); k++) {
    const size_t i = size_t(o.idx[k]), col = size_t(o.col[k]);
    require(o.size[k] > 0 && o.price[k] > 0 && std::isfinite(o.price[k]));
    require(o.fees[k] >= 0);
    if (std::isfinite(o.size[k] * o.price[k] * (1 + c.sim.fees.at(i, col)) + c.sim.fixedFees.at(i, col))) require(std::isfinite(o.fees[k]));
  }
}

void checkTrades(const Case& c, const Run& r) {
  const bt::Trades& t = r.out.trades;
  const size_t n = t.count();
  for (size_t f = 0; f < bt::kTradeFields; f++) require(t.fields[f].size() == n);
  const bt::Values &id = t.fields[0], &col = t.fields[1], &size = t.fields[2], &entryIdx = t.fields[3], &exitIdx = t.fields[6],
                   &direction = t.fields[11], &status = t.fields[12], &positionId = t.fields[13];
  for (size_t k = 0; k < n; k++) {
    require(id[k] == double(k));
    require(col[k] >= 0 && col[k] < double(c.sim.cols));
    // (a position within 1e-12 of 0 takes an id and makes no trade: vectorbt's get_exit_trades_nb)
    require(k == 0 ? positionId[k] >= 0 : positionId[k] >= positionId[k - 1]);
    if (k > 0) require(col[k - 1] <= col[k]);
    require(size[k] > 0);
    require(entryIdx[k] >= 0 && entryIdx[k] <= exitIdx[k] && exitIdx[k] < double(c.sim.rows));
    require(direction[k] == 0 || direction[k] == 1);
    require(status[k] == 0 || status[k] == 1);
  }
}

/// Cash >= 0 (and assets >= 0 without shorting) and value = cash + assets x the filled close, per value group.
void checkSeries(const Case& c, const Run& r) {
  const bt::Simulation& s = c.sim;
  const size_t T = s.rows, K = s.cols, G = c.valueGroups.size();
  // the close filled forward, then backward, per column
  std::vector<double> close(T * K);
  for (size_t col = 0; col < K; col++) {
    double last = NAN;
    for (size_t i = 0; i < T; i++) close[i * K + col] = last = std::isnan(s.close.at(i, col)) ? last : s.close.at(i, col);
    double next = NAN;
    for (size_t i = T; i-- > 0;) close[i * K + col] = std::isnan(close[i * K + col]) ? next : (next = close[i * K + col]);
  }
  // each value group's cash scale: its initial cash and every cash flow so far
  std::vector<size_t> valueGroup(K);
  std::vector<double> initCash(G, 0.0);
  for (size_t g = 0, col = 0; g < G; g++)
    for (int32_t k = 0; k < c.valueGroups[g]; k++) valueGroup[col++] = g;
  for (size_t g = 0, col = 0; g < s.groups; col += size_t(s.groupLens[g++])) initCash[valueGroup[col]] += s.initCash[g];
  std::vector<double> flowScale(T * G, 0.0), sizeScale(T * K, 0.0);
  const bt::Orders& o = r.out.orders;
  for (size_t k = 0; k < o.count(); k++) {
    const size_t i = size_t(o.idx[k]), col = size_t(o.col[k]);
    flowScale[i * G + valueGroup[col]] += std::fabs(o.size[k] * o.price[k]) + std::fabs(o.fees[k]);
    sizeScale[i * K + col] += o.size[k];
  }
  const bool noShort = longOnly(s);
  std::vector<double> scale(initCash);
  std::vector<double> sizes(K, 0.0);
  for (size_t i = 0; i < T; i++) {
    for (size_t col = 0; col < K; col++) {
      sizes[col] += sizeScale[i * K + col];
      if (noShort && std::isfinite(sizes[col])) require(r.assets[i * K + col] >= -1e-9 * sizes[col]);
    }
    for (size_t g = 0; g < G; g++) {
      scale[g] += flowScale[i * G + g];
      const double cash = r.cash[i * G + g];
      if (std::isfinite(scale[g])) require(cash >= -1e-9 * scale[g]);
    }
    // value
    std::vector<double> held(G, 0.0), heldScale(G, 0.0);
    for (size_t col = 0; col < K; col++) {
      const double a = r.assets[i * K + col];
      const double av = a == 0 ? 0.0 : close[i * K + col] * a;
      held[valueGroup[col]] += av;
      heldScale[valueGroup[col]] += std::fabs(av);
    }
    for (size_t g = 0; g < G; g++) {
      const double cash = r.cash[i * G + g], value = r.value[i * G + g];
      const double expected = cash + held[g];
      const double tol = 1e-9 * (std::fabs(cash) + heldScale[g]);
      if (std::isfinite(expected) && std::isfinite(tol)) {
        require(std::fabs(value - expected) <= tol);
      } else if (std::isnan(expected)) {
        require(std::isnan(value));
      }
    }
  }
}

/// Whether a series overflowed (a position or cash beyond the doubles' range times a price): floats
/// then do what floats do, as in vectorbt, which raises only at the column's next order (the kernel
/// too: an Account fault); the invariants past checkOrders() are not checked then.
bool overflowed(const Run& r) {
  for (const std::vector<double>* v : {&r.assets, &r.cash, &r.value})
    for (double x : *v)
      if (std::isinf(x)) return true;
  return false;
}

/// signalBytes() of the input's bytes read as T (for doubles and floats: NaN payloads, -0, subnormals,
/// infinities): 1 where non-zero and not NaN, else 0, on one thread and on two alike.
template <typename T>
void checkSignalBytes(const uint8_t* data, size_t size) {
  std::vector<T> x(size / sizeof(T));
  if (!x.empty()) std::memcpy(x.data(), data, x.size() * sizeof(T));
  std::vector<uint8_t> out(x.size(), 7);
  for (const size_t threads : {size_t{1}, size_t{2}}) {
    setThreadCount(threads);
    bt::signalBytes(x.data(), x.size(), out.data());
    for (size_t i = 0; i < x.size(); i++) require(out[i] == ((x[i] > 0 || x[i] < 0) ? 1 : 0));
  }
  setThreadCount(0);
}

/// checkSignalBytes for each element type the binding passes.
void checkSignalBytesOfEveryType(const uint8_t* data, size_t size) {
  checkSignalBytes<double>(data, size);
  checkSignalBytes<float>(data, size);
  checkSignalBytes<int16_t>(data, size);
  checkSignalBytes<uint16_t>(data, size);
  checkSignalBytes<int32_t>(data, size);
  checkSignalBytes<uint32_t>(data, size);
  checkSignalBytes<int64_t>(data, size);
  checkSignalBytes<uint64_t>(data, size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  checkSignalBytesOfEveryType(data, size);
  fuzz::Input in(data, size);
  Case c;
  Decoder(in, c).decode();
  if (dumping()) dump(c);
  std::string argument, expected;
  const bool accepted = bt::checkSimulation(c.sim, c.valueGroups.data(), c.valueGroups.size(), argument, expected);
  if (!accepted) {
    // only a record off the contract is refused, and then with the field named
    require(c.raw);
    require(argument.rfind("sim.", 0) == 0 || argument == "valueGroups");
    require(!expected.empty());
    return 0;
  }
  const Run one = simulate(c, 1);
  const Run two = simulate(c, 2);
  if (dumping()) dump(c, one);
  require(sameRun(one, two));
  const bt::FaultAt& f = one.fault;
  if (!f.ok()) {
    require(f.row < c.sim.rows && f.col < c.sim.cols);
    const bool orders = c.sim.kind == bt::kOrders;
    switch (f.fault) {
      case bt::SimFault::Price:
        require(!std::isnan(f.value) && !(std::isfinite(f.value) && f.value > 0));
        break;
      case bt::SimFault::LongOnly:
      case bt::SimFault::ShortOnly:
      case bt::SimFault::InfiniteShort:
        require(!longOnly(c.sim));
        break;
      case bt::SimFault::PercentReversal:
        require(!orders && !longOnly(c.sim));
        break;
      case bt::SimFault::Account:   // cash NaN or < 0, a position or debt not finite (or debt < 0), free cash NaN
      case bt::SimFault::ValPrice:  // a valuation price infinite or <= 0
      case bt::SimFault::Fill:      // a fill's size or price not finite and > 0, or its fees not finite
        require(!(std::isfinite(f.value) && f.value > 0));
        break;
      case bt::SimFault::InfiniteLong:
        require(f.value == INFINITY);
        break;
      default:  // NegativeSize, SignalsSizeType: checkSimulation refuses what raises them
        require(false);
    }
    return 0;
  }
  for (const std::vector<double>* v : {&one.assets, &one.cash, &one.value})
    for (double x : *v) require(!fuzz::isUnwritten(x));
  checkOrders(c, one);
  if (overflowed(one)) {
    if (dumping()) std::fprintf(stderr, "a series overflowed: the invariants past checkOrders() not checked\n");
    return 0;
  }
  checkFills(c, one);
  checkTrades(c, one);
  checkSeries(c, one);
  return 0;
}
