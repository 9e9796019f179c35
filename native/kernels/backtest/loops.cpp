// The two simulations over a range of cash groups: vectorbt 1.1.0's simulate_from_orders_nb and
// simulate_from_signals_nb. The twin of src/simulation/loops.ts.
#include "loops.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "execute.hpp"
#include "memory.hpp"
#include "simd.hpp"

namespace kernelbus::backtest {

namespace {

bool on(const Flex<uint8_t>& f, size_t i, size_t col) { return f.at(i, col) != 0; }

/// vectorbt's insert_argsort_nb (NaN last, stable).
void insertArgsort(double* a, int32_t* idx, size_t n) {
  for (size_t j = 1; j < n; j++) {
    const double aj = a[j];
    const int32_t ij = idx[j];
    ptrdiff_t i = ptrdiff_t(j) - 1;
    while (i >= 0 && (a[i] > aj || std::isnan(a[i]))) {
      a[i + 1] = a[i];
      idx[i + 1] = idx[i];
      i--;
    }
    a[i + 1] = aj;
    idx[i + 1] = ij;
  }
}

double approxOrderValue(double size, int sizeType, int direction, double cash, double position, double freeCash, double valPrice,
                        double value) {
  if (direction == kShort) size *= -1;
  const double assetValue = position * valPrice;
  switch (sizeType) {
    case kAmount:
      return size * valPrice;
    case kValue:
      return size;
    case kPercent:
      if (size >= 0) return size * cash;
      if (direction == kLong) return size * assetValue;
      return size * (2 * std::max(assetValue, 0.0) + std::max(freeCash, 0.0));
    case kTargetAmount:
      return size * valPrice - assetValue;
    case kTargetValue:
      return size - assetValue;
    case kTargetPercent:
      return size * value - assetValue;
    default:
      return kNaN;
  }
}

/// The order price of bar i: Infinity the close, -Infinity the open (signals) or the previous close.
double orderPrice(const Simulation& sim, size_t i, size_t col) {
  double price = sim.price.at(i, col);
  if (price == kInf) return sim.close.at(i, col);
  if (price == -kInf) {
    const double open = sim.kind == kSignals && sim.open.length() > 0 ? sim.open.at(i, col) : kNaN;
    if (!std::isnan(open)) return open;
    return i > 0 ? sim.close.at(i - 1, col) : kNaN;
  }
  return price;
}

Order orderAt(const Simulation& sim, size_t i, size_t col) {
  Order o;
  o.fees = sim.fees.at(i, col);
  o.fixedFees = sim.fixedFees.at(i, col);
  o.slippage = sim.slippage.at(i, col);
  o.minSize = sim.minSize.at(i, col);
  return o;
}

/// vectorbt's get_stop_price_nb.
double stopPrice(double position, double entry, double stop, double open, double low, double high, bool hitBelow) {
  if ((position > 0 && hitBelow) || (position < 0 && !hitBelow)) {
    const double level = entry * (1 - stop);
    if (open <= level) return open;
    if (low <= level && level <= high) return level;
    return kNaN;
  }
  if ((position < 0 && hitBelow) || (position > 0 && !hitBelow)) {
    const double level = entry * (1 + stop);
    if (level <= open) return open;
    if (low <= level && level <= high) return level;
    return kNaN;
  }
  return kNaN;
}

enum : int { kAccDisabled = 0, kAccBoth = 1, kAccAdd = 2, kAccRemove = 3 };
enum : int { kOppIgnore = 0, kOppClose = 1, kOppCloseReduce = 2, kOppReverse = 3 };

struct SignalOrder {
  double size = 0;
  int sizeType = 0, direction = kBoth;
};

/// vectorbt's signals_to_size_nb; false with `fault` set where it raises.
bool signalsToSize(double position, bool longEntry, bool longExit, bool shortEntry, bool shortExit, double size, int sizeType,
                   int accumulate, double valPrice, SignalOrder& out, FaultAt& fault) {
  if (sizeType != kAmount && sizeType != kValue && sizeType != kPercent) {
    fault.fault = SimFault::SignalsSizeType;
    fault.value = sizeType;
    return false;
  }
  if (isLess(size, 0)) {
    fault.fault = SimFault::NegativeSize;
    fault.value = size;
    return false;
  }
  double orderSize = 0;
  int direction = kBoth;
  const double abs = std::fabs(position);
  const bool removes = accumulate == kAccBoth || accumulate == kAccRemove;
  const bool adds = accumulate == kAccBoth || accumulate == kAccAdd;
  const auto reverse = [&](double sign) {
    orderSize = sign * abs;
    if (!std::isnan(size)) {
      if (sizeType == kPercent) {
        fault.fault = SimFault::PercentReversal;
        fault.value = size;
        return false;
      }
      const double more = sizeType == kValue ? size / valPrice : size;
      orderSize = sign > 0 ? orderSize + more : orderSize - more;
    }
    sizeType = kAmount;
    return true;
  };
  if (position > 0) {
    if (shortEntry) {
      if (removes)
        orderSize = -size;
      else if (!reverse(-1))
        return false;
    } else if (longExit) {
      direction = kLong;
      if (removes)
        orderSize = -size;
      else {
        orderSize = -abs;
        sizeType = kAmount;
      }
    } else if (longEntry) {
      direction = kLong;
      if (adds) orderSize = size;
    }
  } else if (position < 0) {
    if (longEntry) {
      if (removes)
        orderSize = size;
      else if (!reverse(1))
        return false;
    } else if (shortExit) {
      direction = kShort;
      if (removes)
        orderSize = size;
      else {
        orderSize = abs;
        sizeType = kAmount;
      }
    } else if (shortEntry) {
      direction = kShort;
      if (adds) orderSize = -size;
    }
  } else if (longEntry) {
    orderSize = size;
  } else if (shortEntry) {
    orderSize = -size;
  }
  out = SignalOrder{orderSize, sizeType, direction};
  return true;
}

}  // namespace

Columns::Columns(size_t k) : position(k, 0.0), state(k) {}

namespace {

/// A bar's open, low and high as the stops read them: a missing open is the close, a missing low and
/// high the min and max of open and close (std::min and std::max keep the first of a NaN pair, as
/// numba's min and max do).
struct BarRange {
  double open, low, high;
};
inline BarRange barRange(const Simulation& sim, size_t i, size_t col) {
  const double close = sim.close.at(i, col);
  double open = sim.open.length() > 0 ? sim.open.at(i, col) : kNaN;
  double high = sim.high.length() > 0 ? sim.high.at(i, col) : kNaN;
  double low = sim.low.length() > 0 ? sim.low.at(i, col) : kNaN;
  if (std::isnan(open)) open = close;
  if (std::isnan(low)) low = std::min(open, close);
  if (std::isnan(high)) high = std::max(open, close);
  return BarRange{open, low, high};
}

/// The price a stop fills at on this bar (stop-loss first, then take-profit), NaN where none fires.
inline double stopHitAt(double position, const Columns& c, size_t col, const BarRange& bar) {
  double hit = kNaN;
  if (!std::isnan(c.state[col].slStop))
    hit = stopPrice(position, c.state[col].slPrice, c.state[col].slStop, bar.open, bar.low, bar.high, true);
  if (std::isnan(hit) && !std::isnan(c.state[col].tpStop))
    hit = stopPrice(position, c.state[col].tpPrice, c.state[col].tpStop, bar.open, bar.low, bar.high, false);
  return hit;
}

/// The trailing stop-loss level follows the bar's high (a short: its low), after the bar's check.
inline void trail(double position, Columns& c, size_t col, const BarRange& bar) {
  if (std::isnan(c.state[col].slStop) || !c.state[col].slTrail) return;
  if (position > 0) {
    if (bar.high > c.state[col].slPrice) c.state[col].slPrice = bar.high;
  } else if (position < 0) {
    if (bar.low < c.state[col].slPrice) c.state[col].slPrice = bar.low;
  }
}

/// Whether bar i of column `col` has a signal of its own (from signals).
inline bool signalled(const Simulation& sim, size_t i, size_t col) {
  if (on(sim.entries, i, col) || on(sim.exits, i, col)) return true;
  return sim.lsMode && (on(sim.shortEntries, i, col) || on(sim.shortExits, i, col));
}

/// Whether bar i of column `col` (from signals) has no signal and no stop to check: no order.
inline bool quiet(const Simulation& sim, size_t i, size_t col, Columns& c) {
  if (signalled(sim, i, col)) return false;
  if (!sim.useStops || (std::isnan(c.state[col].slStop) && std::isnan(c.state[col].tpStop))) return true;
  // stops to check and no signal: quiet where none fires, the trailing level moved as stepBar moves it
  const double position = c.position[col];
  const BarRange bar = barRange(sim, i, col);
  if (!std::isnan(stopHitAt(position, c, col, bar))) return false;
  trail(position, c, col, bar);
  return true;
}

/// One bar of one cash group (vectorbt's loop body); false where it faulted (`g.fault` set).
bool stepBar(const Simulation& sim, size_t i, GroupRun& g, Columns& c, double* orderValue, int32_t* seq, Orders& orders) {
  const bool signals = sim.kind == kSignals;
  const size_t from = g.from, n = g.n;
  const bool sharing = n > 1;
  double cash = g.cash, freeCash = g.freeCash;
  FaultAt fault;
  Fill fill;
  const auto stop = [&](size_t row, size_t col) {
    g.fault = fault;
    g.fault.row = row;
    g.fault.col = col;
    return false;
  };
  for (size_t col = from; col < from + n; col++) {
    const double price = orderPrice(sim, i, col);
    c.state[col].price = price;
    if (!std::isnan(price)) c.state[col].valPrice = price;
  }
  if (signals) {
    for (size_t k = 0; k < n; k++) {
      const size_t col = from + k;
      // no signal and no stop to check: no order (what the full path below gives, in fewer reads)
      const bool stopsActive = sim.useStops && (!std::isnan(c.state[col].slStop) || !std::isnan(c.state[col].tpStop));
      if (!stopsActive && !on(sim.entries, i, col) && !on(sim.exits, i, col) &&
          (!sim.lsMode || (!on(sim.shortEntries, i, col) && !on(sim.shortExits, i, col)))) {
        c.state[col].size = 0;
        if (sharing) orderValue[k] = 0;
        continue;
      }
      const double position = c.position[col];
      double price = c.state[col].price;
      double slippage = sim.slippage.at(i, col);
      double stopHit = kNaN;
      if (sim.useStops && (!std::isnan(c.state[col].slStop) || !std::isnan(c.state[col].tpStop))) {
        const BarRange bar = barRange(sim, i, col);
        stopHit = stopHitAt(position, c, col, bar);
        trail(position, c, col, bar);
      }
      int accumulate = int(sim.accumulate.at(i, col));
      bool longEntry = false, longExit = false, shortEntry = false, shortExit = false;
      if (sim.useStops && !std::isnan(stopHit)) {
        if (position > 0)
          longExit = true;
        else if (position < 0)
          shortExit = true;
        accumulate = kAccDisabled;
        price = stopHit;
        slippage = 0;
      } else {
        const bool entry = on(sim.entries, i, col), exit = on(sim.exits, i, col);
        if (sim.lsMode) {
          longEntry = entry;
          longExit = exit;
          shortEntry = on(sim.shortEntries, i, col);
          shortExit = on(sim.shortExits, i, col);
        } else if (entry || exit) {
          const int dir = int(sim.direction.at(i, col));
          if (dir == kLong) {
            longEntry = entry;
            longExit = exit;
          } else if (dir == kShort) {
            shortEntry = entry;
            shortExit = exit;
          } else {
            longEntry = entry;
            shortEntry = exit;
          }
        }
        if (longEntry || shortEntry) {
          if (longEntry && longExit) longEntry = longExit = false;
          if (shortEntry && shortExit) shortEntry = shortExit = false;
          if (longEntry && shortEntry) longEntry = shortEntry = false;
          const int mode = int(sim.uponOppositeEntry.at(i, col));
          if (position > 0 && shortEntry) {
            if (mode == kOppIgnore) {
              shortEntry = false;
            } else if (mode == kOppClose || mode == kOppCloseReduce) {
              shortEntry = false;
              longExit = true;
              if (mode == kOppClose) accumulate = kAccDisabled;
            } else if (mode == kOppReverse) {
              accumulate = kAccDisabled;
            }
          }
          if (position < 0 && longEntry) {
            if (mode == kOppIgnore) {
              longEntry = false;
            } else if (mode == kOppClose || mode == kOppCloseReduce) {
              longEntry = false;
              shortExit = true;
              if (mode == kOppClose) accumulate = kAccDisabled;
            } else if (mode == kOppReverse) {
              accumulate = kAccDisabled;
            }
          }
        }
      }
      SignalOrder signal;
      if (!signalsToSize(position, longEntry, longExit, shortEntry, shortExit, sim.size.at(i, col), int(sim.sizeType.at(i, col)),
                         accumulate, c.state[col].valPrice, signal, fault)) {
        return stop(i, col);
      }
      c.state[col].price = price;
      c.state[col].slippage = slippage;
      c.state[col].size = signal.size;
      c.state[col].sizeType = signal.sizeType;
      c.state[col].direction = signal.direction;
      if (sharing) {
        double v = 0;
        if (signal.size != 0) {
          if (signal.sizeType == kAmount)
            v = signal.size * c.state[col].valPrice;
          else if (signal.sizeType == kValue)
            v = signal.size;
          else if (signal.size >= 0)
            v = signal.size * cash;
          else {
            const double assetValue = c.position[col] * c.state[col].valPrice;
            v = signal.direction == kLong ? signal.size * assetValue
                                          : signal.size * (2 * std::max(assetValue, 0.0) + std::max(freeCash, 0.0));
          }
        }
        orderValue[k] = v;
      }
    }
  }
  for (size_t k = 0; k < n; k++) seq[k] = int32_t(k);
  double value = cash;
  if (sharing) {
    if (!signals) {
      for (size_t col = from; col < from + n; col++)
        if (c.position[col] != 0) value += c.position[col] * c.state[col].valPrice;
      if (sim.autoCallSeq) {
        for (size_t k = 0; k < n; k++) {
          const size_t col = from + k;
          orderValue[k] = approxOrderValue(sim.size.at(i, col), int(sim.sizeType.at(i, col)), int(sim.direction.at(i, col)), cash,
                                           c.position[col], freeCash, c.state[col].valPrice, value);
        }
        insertArgsort(orderValue, seq, n);
      }
    } else {
      if (sim.autoCallSeq) insertArgsort(orderValue, seq, n);
      for (size_t col = from; col < from + n; col++)
        if (c.position[col] != 0) value += c.position[col] * c.state[col].valPrice;
    }
  }
  for (size_t k = 0; k < n; k++) {
    const size_t col = from + size_t(seq[k]);
    if (signals && c.state[col].size == 0) continue;
    const double position = c.position[col];
    if (!sharing) value = position != 0 ? cash + position * c.state[col].valPrice : cash;
    Order o = orderAt(sim, i, col);
    if (signals) {
      double size = c.state[col].size;
      if (size == 0) continue;
      if (c.state[col].direction == kShort) size = -size;
      o.size = size;
      o.sizeType = c.state[col].sizeType;
      o.direction = c.state[col].direction;
      o.slippage = c.state[col].slippage;
    } else {
      o.size = sim.size.at(i, col);
      o.sizeType = int(sim.sizeType.at(i, col));
      o.direction = int(sim.direction.at(i, col));
    }
    o.price = c.state[col].price;
    Account s{cash, position, c.state[col].debt, freeCash};
    const bool filled = executeOrder(s, o, c.state[col].valPrice, value, fill, fault);
    if (!fault.ok()) return stop(i, col);
    if (filled) orders.push(i, col, fill.size, fill.price, fill.fees, fill.side);
    cash = s.cash;
    freeCash = s.freeCash;
    c.position[col] = s.position;
    c.state[col].debt = s.debt;
    if (signals && sim.useStops && filled) {
      if (s.position == 0) {
        c.state[col].slPrice = c.state[col].slStop = c.state[col].tpPrice = c.state[col].tpStop = kNaN;
        c.state[col].slTrail = 0;
      } else {
        const double entryPrice = sim.close.at(i, col);
        const double sl = sim.slStop.at(i, col), tp = sim.tpStop.at(i, col);
        const bool opened = position == 0 || sign(s.position) != sign(position);
        const bool increased = std::fabs(s.position) > std::fabs(position);
        if (opened || (increased && !std::isnan(sl))) {
          c.state[col].slPrice = entryPrice;
          c.state[col].slStop = sl;
          c.state[col].slTrail = sim.slTrail.at(i, col) != 0 ? 1 : 0;
        }
        if (opened || (increased && !std::isnan(tp))) {
          c.state[col].tpPrice = entryPrice;
          c.state[col].tpStop = tp;
        }
      }
    }
  }
  g.cash = cash;
  g.freeCash = freeCash;
  return true;
}

}  // namespace

constexpr size_t kPrefetchRows = 4;

/// Prefetches row i of `f`'s columns [a, b) when `f` is a full panel.
template <typename T>
void prefetchRow(const Flex<T>& f, size_t i, size_t a, size_t b) {
  if (f.rows != 1 && f.cols != 1) prefetchSpan(f.data + i * f.cols + a, (b - a) * sizeof(T));
}

namespace {

/// Whether the chunk is from signals with every column its own cash and value group, signals as whole
/// panels and orders at the close: the case independentSignals() runs.
bool independent(const Simulation& sim, const ChunkBounds& b, const int32_t* valueGroups) {
  const size_t T = sim.rows, K = sim.cols;
  const auto panel = [&](const Flex<uint8_t>& f) { return f.rows == T && f.cols == K; };
  if (sim.kind != kSignals || !(sim.price.length() == 1 && sim.price.data[0] == kInf)) return false;
  if (!panel(sim.entries) || !panel(sim.exits) || (sim.lsMode && (!panel(sim.shortEntries) || !panel(sim.shortExits)))) return false;
  if (sim.close.rows != T || (sim.close.cols != K && sim.close.cols != 1)) return false;
  if (b.endGroup - b.firstGroup != b.endCol - b.firstCol || b.endValueGroup - b.firstValueGroup != b.endCol - b.firstCol) return false;
  for (size_t g = b.firstGroup; g < b.endGroup; g++)
    if (sim.groupLens[g] != 1) return false;
  for (size_t g = b.firstValueGroup; g < b.endValueGroup; g++)
    if (valueGroups[g] != 1) return false;
  return true;
}

}  // namespace

/// `rows`' records (bar by bar) reordered column by column, bars in order within a column: vectorbt's
/// order for groups of one column (a counting sort over the chunk's columns from `firstCol`).
void byColumn(const Orders& rows, size_t firstCol, size_t C, Orders& out) {
  const size_t n = rows.count();
  std::vector<size_t> start(C + 1, 0);
  for (size_t r = 0; r < n; r++) start[size_t(rows.col[r]) - firstCol + 1]++;
  for (size_t k = 0; k < C; k++) start[k + 1] += start[k];
  for (Values* v : {&out.col, &out.idx, &out.size, &out.price, &out.fees, &out.side}) v->resize(n);
  for (size_t r = 0; r < n; r++) {
    const size_t to = start[size_t(rows.col[r]) - firstCol]++;
    out.col[to] = rows.col[r];
    out.idx[to] = rows.idx[r];
    out.size[to] = rows.size[r];
    out.price[to] = rows.price[r];
    out.fees[to] = rows.fees[r];
    out.side[to] = rows.side[r];
  }
}

/// A block of a bar's closes filled forward into `last` (`close` the block's, or one close for every
/// column where `closeStride` is 0): the valuation price of an order at the close. Selects only: the
/// loop vectorizes, at the width simd::run picks.
KERNELBUS_VECTOR_BODY void fillBlock(size_t n, const double* close, size_t closeStride, double* last) {
  for (size_t k = 0; k < n; k++) {
    const double v = close[closeStride * k];
    last[k] = v == v ? v : last[k];
  }
}
KERNELBUS_VECTOR_BODY void fillBlockOwn(size_t n, const double* close, double* last) { fillBlock(n, close, 1, last); }
KERNELBUS_VECTOR_BODY void fillBlockBroadcast(size_t n, const double* close, double* last) { fillBlock(n, close, 0, last); }

constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;

/// The index of the lowest set bit of x (not 0).
inline int lowestBit(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_ctzll(x);
#else
  int n = 0;
  while ((x & 1) == 0) x >>= 1, n++;
  return n;
#endif
}

/// Which of a block's n columns must be stepped for their stops this bar: a stop that fires (what
/// stopHitAt() finds a price for, from the levels `below` and `above` that stopPrice() computes: NaN
/// where none is set) or a trailing level to move. The bar's range is barRange()'s (the close's where
/// `Ohlc` is false); comparisons only, so every vector width gives the same bytes.
template <bool Ohlc, size_t Stride>
KERNELBUS_VECTOR_BODY void stopHits(size_t n, const double* close, const double* open, const double* high, const double* low,
                                    const double* below, const double* above, const uint8_t* trailing, uint8_t* hit) {
  for (size_t k = 0; k < n; k++) {
    const double c = close[Stride * k];
    double o = c, lo = c, hi = c;
    if (Ohlc) {
      const double o0 = open[Stride * k], lo0 = low[Stride * k], hi0 = high[Stride * k];
      o = o0 == o0 ? o0 : c;
      const double min = c < o ? c : o, max = o < c ? c : o;  // std::min(o, c), std::max(o, c)
      lo = lo0 == lo0 ? lo0 : min;
      hi = hi0 == hi0 ? hi0 : max;
    }
    const double b = below[k], a = above[k];
    const bool fires = (o <= b) | ((lo <= b) & (b <= hi)) | (a <= o) | ((lo <= a) & (a <= hi));
    hit[k] = uint8_t(fires | (trailing[k] != 0));
  }
}

/// Columns a block of a bar takes at a time in independentSignals(): its closes filled forward, its
/// signals scanned, its columns stepped, while the block's per-column state is in L1.
constexpr size_t kBlock = 64;

/// simulateChunk's loop where every column is its own group (the chunk passes independent()): a bar,
/// block by block, reads the signal bytes of the block's row 8 columns at a time (and a byte per
/// column with a stop level to check, as one more row) and steps only the columns with one set. What
/// the general loop computes for such a chunk, operation for operation.
void independentSignals(const Simulation& sim, const ChunkBounds& b, Columns& c, std::vector<GroupRun>& runs, Orders& orders) {
  const size_t T = sim.rows, K = sim.cols, a = b.firstCol, C = b.endCol - a;
  const size_t closeStride = sim.close.cols == 1 ? 0 : 1, closeCols = sim.close.cols;
  const size_t closeFrom = closeStride * a;
  double orderValue = 0;
  int32_t seq = 0;
  // the close filled forward (`last`): the valuation price of an order at the close
  std::vector<double> last(C, kNaN);
  // with stops: each column's levels (NaN where none is set or no position is held: none fires), a
  // byte where its stop-loss trails, and the block's bytes of the columns to step for their stops
  // (scanned with the signal rows)
  std::vector<double> below(sim.useStops ? C : 0, kNaN), above(sim.useStops ? C : 0, kNaN);
  std::vector<uint8_t> trailing(sim.useStops ? C : 0, 0), hit(sim.useStops ? C : 0, 0);
  const auto arm = [&](size_t k) {
    const size_t col = a + k;
    const ColumnState& st = c.state[col];
    const double position = c.position[col];
    // stopPrice()'s levels: a long's stop-loss and a short's take-profit fire below, the others above
    below[k] = position > 0 ? st.slPrice * (1 - st.slStop) : position < 0 ? st.tpPrice * (1 - st.tpStop) : kNaN;
    above[k] = position > 0 ? st.tpPrice * (1 + st.tpStop) : position < 0 ? st.slPrice * (1 + st.slStop) : kNaN;
    trailing[k] = !std::isnan(st.slStop) && st.slTrail ? 1 : 0;
  };
  const uint8_t* signalRows[4] = {sim.entries.data, sim.exits.data, sim.lsMode ? sim.shortEntries.data : nullptr,
                                  sim.lsMode ? sim.shortExits.data : nullptr};
  // the records bar by bar, in memory the thread keeps between runs (fresh pages cost more than the
  // records' copy here)
  thread_local Orders rows;
  for (Values* v : {&rows.col, &rows.idx, &rows.size, &rows.price, &rows.fees, &rows.side}) v->clear();
  // a column's step: its order
  const auto step = [&](size_t i, size_t k) {
    GroupRun& run = runs[k];
    const size_t col = a + k;
    if (!run.fault.ok()) return;
    if (!quiet(sim, i, col, c)) {
      c.state[col].valPrice = last[k];
      stepBar(sim, i, run, c, &orderValue, &seq, rows);
    }
    if (sim.useStops) arm(k);  // the step's fill or trail may have moved the levels
  };
  const bool ohlc = sim.open.length() > 0 || sim.high.length() > 0 || sim.low.length() > 0;
  // an absent open, high or low is NaN (barRange() replaces it): the close's row stands in
  const auto rowOf = [&](const Flex<double>& f, size_t i) { return f.length() > 0 ? f.data + i * closeCols + closeFrom : nullptr; };
  std::vector<double> nanRow(ohlc ? (closeStride == 1 ? C : 1) : 0, kNaN);
  double* last0 = last.data();
  for (size_t i = 0; i < T; i++) {
    const uint8_t* at[5];
    size_t m = 0;
    for (const uint8_t* data : signalRows)
      if (data != nullptr) at[m++] = data + i * K + a;
    if (sim.useStops) at[m++] = hit.data();  // written block by block below
    const double* close = sim.close.data + i * closeCols + closeFrom;
    const double* open = ohlc ? rowOf(sim.open, i) : close;
    const double* high = ohlc ? rowOf(sim.high, i) : close;
    const double* low = ohlc ? rowOf(sim.low, i) : close;
    if (open == nullptr) open = nanRow.data();
    if (high == nullptr) high = nanRow.data();
    if (low == nullptr) low = nanRow.data();
    for (size_t k1 = 0; k1 < C; k1 += kBlock) {
      const size_t end = std::min(C, k1 + kBlock);
      // the close and signal bytes of this block kPrefetchRows bars ahead (many streams at once: the
      // prefetchers alone fall behind on them)
      if (i + kPrefetchRows < T) {
        prefetchSpan(close + kPrefetchRows * closeCols + closeStride * k1, closeStride * (end - k1) * sizeof(double));
        for (size_t r = 0; r < m - (sim.useStops ? 1 : 0); r++) prefetchSpan(at[r] + kPrefetchRows * K + k1, 1);
      }
      if (sim.useStops) {
        const size_t n = end - k1, o = closeStride * k1;
        const double *bl = below.data() + k1, *ab = above.data() + k1;
        const uint8_t* tr = trailing.data() + k1;
        uint8_t* h = hit.data();
        if (!ohlc && closeStride == 1)
          simd::run<stopHits<false, 1>>(n, close + o, open + o, high + o, low + o, bl, ab, tr, h + k1);
        else if (!ohlc)
          simd::run<stopHits<false, 0>>(n, close, open, high, low, bl, ab, tr, h + k1);
        else if (closeStride == 1)
          simd::run<stopHits<true, 1>>(n, close + o, open + o, high + o, low + o, bl, ab, tr, h + k1);
        else
          simd::run<stopHits<true, 0>>(n, close, open, high, low, bl, ab, tr, h + k1);
      }
      // the block's columns with a signal byte (or a stop to step), 8 at a time (one load a row)
      for (size_t k0 = k1; k0 < end; k0 += 8) {
        const size_t n = std::min<size_t>(8, end - k0);
        uint64_t any = 0;
        for (size_t r = 0; r < m; r++) {
          uint64_t w = 0;
          if (n == 8)
            std::memcpy(&w, at[r] + k0, 8);
          else
            std::memcpy(&w, at[r] + k0, n);
          any |= w;
        }
        // a byte's high bit where the byte is not 0 (its low 7 bits carried into it, or its own),
        // the columns in order by the lowest set bit
        uint64_t set = (((any & kLow7) + kLow7) | any) & ~kLow7;
        while (set != 0) {
          step(i, k0 + size_t(lowestBit(set)) / 8);
          set &= set - 1;
        }
      }
      // the block's closes filled forward, after its steps (a step values at the close before its bar's)
      const size_t n = end - k1;
      if (closeStride == 1)
        simd::run<fillBlockOwn>(n, close + k1, last0 + k1);
      else
        simd::run<fillBlockBroadcast>(n, close, last0 + k1);
    }
  }
  byColumn(rows, a, C, orders);
}

void simulateChunk(const Simulation& sim, const ChunkBounds& b, const int32_t* valueGroups, Columns& c, std::vector<GroupRun>& runs,
                   Orders& orders) {
  runs.clear();
  size_t maxLen = 0;
  for (size_t g = b.firstGroup, from = b.firstCol; g < b.endGroup; from += size_t(sim.groupLens[g++])) {
    GroupRun run;
    run.from = from;
    run.n = size_t(sim.groupLens[g]);
    run.cash = run.freeCash = sim.initCash[g];
    runs.push_back(std::move(run));
    maxLen = std::max(maxLen, size_t(sim.groupLens[g]));
  }
  if (independent(sim, b, valueGroups)) {
    independentSignals(sim, b, c, runs, orders);
    return;
  }
  std::vector<double> orderValue(maxLen);
  std::vector<int32_t> seq(maxLen);
  const size_t T = sim.rows, C = b.endCol - b.firstCol;
  const bool signals = sim.kind == kSignals;
  const bool priceIsClose = sim.price.length() == 1 && sim.price.data[0] == kInf;
  // the close filled forward (`last`): the valuation price of orders at the close
  std::vector<double> last(priceIsClose ? C : 0, kNaN);
  // the groups in lockstep, bar by bar: a row of the inputs is read once for them all (row-major data);
  // each group's records stay its own, so their order is vectorbt's (group by group)
  for (size_t i = 0; i < T; i++) {
    if (i + kPrefetchRows < T) {
      // the inputs' row a few bars ahead, for the chunk's columns (a row of a wide panel is a page away)
      prefetchRow(sim.close, i + kPrefetchRows, b.firstCol, b.endCol);
      prefetchRow(sim.entries, i + kPrefetchRows, b.firstCol, b.endCol);
      prefetchRow(sim.exits, i + kPrefetchRows, b.firstCol, b.endCol);
      prefetchRow(sim.size, i + kPrefetchRows, b.firstCol, b.endCol);
    }
    for (GroupRun& run : runs) {
      if (!run.fault.ok()) continue;
      if (signals && run.n == 1 && quiet(sim, i, run.from, c)) {
        // a column of its own without a signal or a stop to check this bar: no order; its prices only
        // (what stepBar does then), and not even those where they are the close's (restored below)
        if (priceIsClose) continue;
        const double price = orderPrice(sim, i, run.from);
        c.state[run.from].price = price;
        if (!std::isnan(price)) c.state[run.from].valPrice = price;
        continue;
      }
      // orders at the close: the valuation price is the last close that was a number before this bar
      if (priceIsClose)
        for (size_t col = run.from; col < run.from + run.n; col++) c.state[col].valPrice = last[col - b.firstCol];
      stepBar(sim, i, run, c, orderValue.data(), seq.data(), run.orders);
    }
    if (priceIsClose)
      for (size_t k = 0; k < C; k++) {
        const double v = sim.close.at(i, b.firstCol + k);
        if (!std::isnan(v)) last[k] = v;
      }
  }
  // the records group by group (vectorbt's order)
  size_t n = 0;
  for (const GroupRun& run : runs) n += run.orders.count();
  for (Values* v : {&orders.col, &orders.idx, &orders.size, &orders.price, &orders.fees, &orders.side}) v->reserve(n);
  for (GroupRun& run : runs) {
    orders.append(run.orders);
    run.orders = Orders{};
  }
}

}  // namespace kernelbus::backtest
