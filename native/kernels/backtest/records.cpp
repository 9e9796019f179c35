// simulate(): the simulation of each value group and the exit trades vectorbt 1.1.0 derives from its
// order records (get_exit_trades_nb), value group by value group on the pool's threads, the records
// kept chunk by chunk (Records: a field of the whole result written where its reader wants it); run():
// the same joined. The twin of src/simulation/records.ts (its series: series.cpp).
#include <algorithm>
#include <cmath>

#include "backtest.hpp"
#include "execute.hpp"
#include "parallel.hpp"
#include "loops.hpp"

namespace kernelbus::backtest {

namespace {

/// One chunk of value groups: its bounds, its cash groups' runs, then their records joined in order
/// (the part of the result it becomes).
struct Chunk : Records::Part {
  ChunkBounds bounds;
  std::vector<GroupRun> runs;
  FaultAt fault;
};

/// The records (orders and trades) from which Records::write copies the fields on the pool's threads.
constexpr size_t kParallelRecords = 16384;

/// The order fields in Records::orderField's numbering (`o.*kOrderColumns[f]`).
constexpr Values Orders::*kOrderColumns[] = {&Orders::col, &Orders::idx, &Orders::size, &Orders::price, &Orders::fees, &Orders::side};

/// Exit trades of one column's records (vectorbt's get_exit_trades_nb): `list`[from..to), or the
/// records from..to themselves where `list` is null; position ids from `parent`.
void exitTrades(const Orders& log, const size_t* list, size_t from, size_t to, size_t col, double lastClose, size_t lastIdx, Trades& out,
                size_t& parent) {
  bool inPosition = false;
  int direction = -1;
  double entryIdx = -1, sizeSum = 0, grossSum = 0, feesSum = 0;
  long long parentId = -1;
  const auto push = [&](double size, double entryPrice, double entryFees, double exitIdx, double exitPrice, double exitFees, int status) {
    const double entryValue = size * entryPrice;
    double diff = add(size * exitPrice, -entryValue);
    if (diff != 0 && direction == 1) diff *= -1;
    const double pnl = diff - entryFees - exitFees;
    const double values[kTradeFields] = {double(out.count()), double(col),       size,           entryIdx,        entryPrice,
                                         entryFees,           exitIdx,           exitPrice,      exitFees,        pnl,
                                         pnl / entryValue,    double(direction), double(status), double(parentId)};
    for (size_t f = 0; f < kTradeFields; f++) out.fields[f].push_back(values[f]);
  };
  for (size_t r = from; r < to; r++) {
    const size_t o = list != nullptr ? list[r] : r;
    const double i = log.idx[o], size = log.size[o], price = log.price[o], fees = log.fees[o];
    const bool buy = log.side[o] == kBuy;
    if (!inPosition) {
      inPosition = true;
      entryIdx = i;
      direction = buy ? 0 : 1;
      parentId = (long long)parent++;
      sizeSum = grossSum = feesSum = 0;
    }
    if ((direction == 0) == buy) {
      sizeSum += size;
      grossSum += size * price;
      feesSum += fees;
    } else if (isCloseOrLess(size, sizeSum)) {
      const bool closes = isClose(size, sizeSum);
      const double exitSize = closes ? sizeSum : size;
      push(exitSize, grossSum / sizeSum, (exitSize / sizeSum) * feesSum, i, price, fees, 1);
      if (closes) {
        entryIdx = -1;
        direction = -1;
        inPosition = false;
      } else {
        const double fraction = (sizeSum - size) / sizeSum;
        sizeSum *= fraction;
        grossSum *= fraction;
        feesSum *= fraction;
      }
    } else {
      const double exitFees = (sizeSum / size) * fees;
      push(sizeSum, grossSum / sizeSum, feesSum, i, price, exitFees, 1);
      sizeSum = size - sizeSum;
      grossSum = sizeSum * price;
      feesSum = fees - exitFees;
      entryIdx = i;
      direction = direction == 0 ? 1 : 0;
      parentId = (long long)parent++;
    }
  }
  if (inPosition && isLess(-sizeSum, 0)) push(sizeSum, grossSum / sizeSum, feesSum, double(lastIdx), lastClose, 0, 0);
}

/// The exit trades of a chunk's columns from its records (each column's records in order: as they
/// are where each column is its own group, else by a counting sort, a cash group's records
/// interleaving its columns).
void chunkTrades(const Simulation& sim, Chunk& ch) {
  const size_t T = sim.rows, C = ch.bounds.endCol - ch.bounds.firstCol, n = ch.orders.count();
  const double* cols = ch.orders.col.data();
  std::vector<size_t> start(C + 1, 0), list;
  for (size_t r = 0; r < n; r++) start[size_t(cols[r]) - ch.bounds.firstCol + 1]++;
  for (size_t k = 0; k < C; k++) start[k + 1] += start[k];
  bool sorted = true;
  for (size_t r = 1; r < n && sorted; r++) sorted = cols[r - 1] <= cols[r];
  if (!sorted) {
    list.resize(n);
    std::vector<size_t> next(start.begin(), start.end() - 1);
    for (size_t r = 0; r < n; r++) list[next[size_t(cols[r]) - ch.bounds.firstCol]++] = r;
  }
  for (auto& f : ch.trades.fields) f.reserve(n + C);  // a record closes at most one trade and opens one
  for (size_t k = 0; k < C; k++) {
    const size_t col = ch.bounds.firstCol + k;
    exitTrades(ch.orders, sorted ? nullptr : list.data(), start[k], start[k + 1], col, sim.close.at(T - 1, col), T - 1, ch.trades,
               ch.positions);
  }
}

}  // namespace

FaultAt simulate(const Simulation& sim, const int32_t* valueGroups, size_t G, Records& out) {
  // value group g: its columns and the cash groups they hold (a cash group lies in one value group)
  std::vector<size_t> firstCol(G + 1), firstGroup(G + 1);
  for (size_t g = 0, col = 0, cashGroup = 0; g < G; g++) {
    firstCol[g] = col;
    firstGroup[g] = cashGroup;
    const size_t end = col + size_t(valueGroups[g]);
    while (col < end) col += size_t(sim.groupLens[cashGroup++]);
    firstCol[g + 1] = col;
    firstGroup[g + 1] = cashGroup;
  }
  // chunks of value groups simulated in lockstep, one a thread: a chunk's row is then a long run of
  // each panel's memory, which the prefetchers follow (narrower chunks, 16 to 256 columns, were 1.2x
  // slower at 2,520 x 1,000). The bounds decide only who computes what: each column's outputs and
  // records are the same whatever the chunks (the records are joined in group order).
  const size_t threads = threadCount();
  const size_t width = std::max<size_t>(16, (sim.cols + threads - 1) / threads);
  const size_t per = std::max<size_t>(1, G * width / sim.cols);
  std::vector<Chunk> chunks((G + per - 1) / per);
  for (size_t c = 0; c < chunks.size(); c++) {
    ChunkBounds& b = chunks[c].bounds;
    b.firstValueGroup = c * per;
    b.endValueGroup = std::min(G, (c + 1) * per);
    b.firstGroup = firstGroup[b.firstValueGroup];
    b.endGroup = firstGroup[b.endValueGroup];
    b.firstCol = firstCol[b.firstValueGroup];
    b.endCol = firstCol[b.endValueGroup];
  }
  Columns columns(sim.cols);
  parallelForChunks(chunks.size(), 1, [&](size_t begin, size_t end) {
    for (size_t c = begin; c < end; c++) {
      Chunk& ch = chunks[c];
      simulateChunk(sim, ch.bounds, valueGroups, columns, ch.runs, ch.orders);
      for (GroupRun& run : ch.runs) {
        if (!run.fault.ok()) {
          ch.fault = run.fault;
          break;
        }
      }
      if (!ch.fault.ok()) continue;
      chunkTrades(sim, ch);
    }
  });
  for (const Chunk& ch : chunks)
    if (!ch.fault.ok()) return ch.fault;
  out.parts.clear();
  out.parts.reserve(chunks.size());
  for (Chunk& ch : chunks) out.parts.push_back(std::move(static_cast<Records::Part&>(ch)));
  return FaultAt{};
}

size_t Records::orderCount() const {
  size_t n = 0;
  for (const Part& p : parts) n += p.orders.count();
  return n;
}

size_t Records::tradeCount() const {
  size_t n = 0;
  for (const Part& p : parts) n += p.trades.count();
  return n;
}

void Records::orderField(size_t f, double* to) const {
  for (const Part& p : parts) to = std::copy((p.orders.*kOrderColumns[f]).begin(), (p.orders.*kOrderColumns[f]).end(), to);
}

void Records::tradeField(size_t f, double* to) const {
  size_t at = 0, positions = 0;
  for (const Part& p : parts) {
    const Values& v = p.trades.fields[f];
    double* part = to + at;
    if (f == 0)
      for (size_t r = 0; r < v.size(); r++) part[r] = double(at + r);
    else if (f == 13)
      for (size_t r = 0; r < v.size(); r++) part[r] = v[r] + double(positions);
    else
      std::copy(v.begin(), v.end(), part);
    at += v.size();
    positions += p.positions;
  }
}

void Records::write(double* const* orders, double* const* trades) const {
  const size_t n = orderCount(), fields = 7 + kTradeFields;
  const auto field = [&](size_t f) {
    if (f == 0)
      for (size_t k = 0; k < n; k++) orders[0][k] = double(k);
    else if (f < 7)
      orderField(f - 1, orders[f]);
    else
      tradeField(f - 7, trades[f - 7]);
  };
  // a field a chunk, the largest (the orders') handed out first: a copy of memory, which two threads
  // share better than one makes it (a few thousand records are copied on the calling thread)
  if (n + tradeCount() < kParallelRecords) {
    for (size_t f = 0; f < fields; f++) field(f);
    return;
  }
  parallelForChunks(fields, 1, [&](size_t begin, size_t end) {
    for (size_t f = begin; f < end; f++) field(f);
  });
}

FaultAt run(const Simulation& sim, const int32_t* valueGroups, size_t G, Output& out) {
  Records records;
  const FaultAt fault = simulate(sim, valueGroups, G, records);
  if (!fault.ok()) return fault;
  for (size_t f = 0; f < 6; f++) {
    Values& v = out.orders.*kOrderColumns[f];
    v.resize(records.orderCount());
    records.orderField(f, v.data());
  }
  for (size_t f = 0; f < kTradeFields; f++) {
    out.trades.fields[f].resize(records.tradeCount());
    records.tradeField(f, out.trades.fields[f].data());
  }
  return FaultAt{};
}

}  // namespace kernelbus::backtest
