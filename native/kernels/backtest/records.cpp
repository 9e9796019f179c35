// run(): the simulation of each value group and what vectorbt 1.1.0 derives from its order records
// (asset_flow_nb, assets_nb, cash_flow_nb, cash_grouped_nb, Portfolio.asset_value with fillna_close,
// get_exit_trades_nb), value group by value group on the pool's threads, the records joined in order.
// The twin of src/backends/reference/backtest/records.ts.
#include <algorithm>
#include <cmath>

#include "backtest.hpp"
#include "execute.hpp"
#include "parallel.hpp"
#include "simulate.hpp"

namespace kernelbus::backtest {

namespace {

/// One value group's share of the work: its cash groups and columns, and the records it made.
struct Chunk {
  size_t firstGroup = 0, endGroup = 0, firstCol = 0, endCol = 0;
  Orders orders;
  Trades trades;
  size_t positions = 0;  // exit trades' position ids used
  FaultAt fault;
};

/// Exit trades of one column's records [a, b) (vectorbt's get_exit_trades_nb); position ids from `parent`.
void exitTrades(const Orders& log, const std::vector<size_t>& list, size_t col, double lastClose, size_t lastIdx, Trades& out,
                size_t& parent) {
  bool inPosition = false;
  int direction = -1;
  double entryIdx = -1, sizeSum = 0, grossSum = 0, feesSum = 0;
  long long parentId = -1;
  const auto push = [&](double size, double entryPrice, double entryFees, double exitIdx, double exitPrice, double exitFees,
                        int status) {
    const double entryValue = size * entryPrice;
    double diff = add(size * exitPrice, -entryValue);
    if (diff != 0 && direction == 1) diff *= -1;
    const double pnl = diff - entryFees - exitFees;
    const double values[kTradeFields] = {double(out.count()), double(col), size, entryIdx, entryPrice, entryFees, exitIdx,
                                         exitPrice, exitFees, pnl, pnl / entryValue, double(direction), double(status),
                                         double(parentId)};
    for (size_t f = 0; f < kTradeFields; f++) out.fields[f].push_back(values[f]);
  };
  for (const size_t o : list) {
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

/// The series and trades of a chunk's columns from its records; value group `g` of G.
void derive(const Simulation& sim, Chunk& ch, size_t g, size_t G, const double initCash, Output& out) {
  const size_t T = sim.rows, K = sim.cols;
  std::vector<std::vector<size_t>> byCol(ch.endCol - ch.firstCol);
  for (size_t r = 0; r < ch.orders.count(); r++) byCol[size_t(ch.orders.col[r]) - ch.firstCol].push_back(r);
  std::vector<double> flow(T), held(T), close(T);
  for (size_t col = ch.firstCol; col < ch.endCol; col++) {
    const std::vector<size_t>& list = byCol[col - ch.firstCol];
    for (size_t i = 0; i < T; i++) out.assets[i * K + col] = 0;
    std::vector<double> cashFlow(T, 0.0);
    for (const size_t o : list) {
      const double size = ch.orders.side[o] == kBuy ? ch.orders.size[o] : -ch.orders.size[o];
      const size_t cell = size_t(ch.orders.idx[o]);
      out.assets[cell * K + col] = add(out.assets[cell * K + col], size);
      cashFlow[cell] = add(cashFlow[cell], -size * ch.orders.price[o] - ch.orders.fees[o]);
    }
    // the close filled forward, then backward
    double last = kNaN;
    for (size_t i = 0; i < T; i++) close[i] = last = std::isnan(sim.close.at(i, col)) ? last : sim.close.at(i, col);
    double next = kNaN;
    for (size_t i = T; i-- > 0;) close[i] = std::isnan(close[i]) ? next : (next = close[i]);
    double position = 0;
    for (size_t i = 0; i < T; i++) {
      position = add(position, out.assets[i * K + col]);
      out.assets[i * K + col] = position;
      flow[i] = col == ch.firstCol ? cashFlow[i] : flow[i] + cashFlow[i];
      const double av = position == 0 ? 0.0 : close[i] * position;
      held[i] = col == ch.firstCol ? av : held[i] + av;
    }
    exitTrades(ch.orders, list, col, sim.close.at(T - 1, col), T - 1, ch.trades, ch.positions);
  }
  double now = initCash;
  for (size_t i = 0; i < T; i++) {
    now = add(now, 0.0 + flow[i]);
    out.cash[i * G + g] = now;
    out.value[i * G + g] = now + (0.0 + held[i]);
  }
}

}  // namespace

FaultAt run(const Simulation& sim, const int32_t* valueGroups, size_t G, Output& out) {
  // value group g: its columns, and the cash groups they hold (a cash group lies in one value group)
  std::vector<Chunk> chunks(G);
  std::vector<double> initCash(G, 0.0);
  size_t col = 0, cashGroup = 0;
  for (size_t g = 0; g < G; g++) {
    Chunk& ch = chunks[g];
    ch.firstCol = col;
    ch.endCol = col + size_t(valueGroups[g]);
    ch.firstGroup = cashGroup;
    while (col < ch.endCol) {
      initCash[g] += sim.initCash[cashGroup];
      col += size_t(sim.groupLens[cashGroup++]);
    }
    ch.endGroup = cashGroup;
  }
  Columns columns(sim.cols);
  parallelForChunks(G, std::max<size_t>(1, G / 64), [&](size_t begin, size_t end) {
    for (size_t g = begin; g < end; g++) {
      Chunk& ch = chunks[g];
      ch.fault = simulateGroups(sim, ch.firstGroup, ch.endGroup, ch.firstCol, columns, ch.orders);
      if (ch.fault.ok()) derive(sim, ch, g, G, initCash[g], out);
    }
  });
  // join the chunks' records in order: ids and position ids count over the whole result
  size_t orders = 0, trades = 0;
  for (const Chunk& ch : chunks) {
    if (!ch.fault.ok()) return ch.fault;
    orders += ch.orders.count();
    trades += ch.trades.count();
  }
  for (std::vector<double>* v : {&out.orders.col, &out.orders.idx, &out.orders.size, &out.orders.price, &out.orders.fees, &out.orders.side}) {
    v->reserve(orders);
  }
  for (auto& f : out.trades.fields) f.reserve(trades);
  size_t positions = 0;
  for (Chunk& ch : chunks) {
    const size_t tradeBase = out.trades.count();
    const auto append = [](std::vector<double>& to, const std::vector<double>& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(out.orders.col, ch.orders.col);
    append(out.orders.idx, ch.orders.idx);
    append(out.orders.size, ch.orders.size);
    append(out.orders.price, ch.orders.price);
    append(out.orders.fees, ch.orders.fees);
    append(out.orders.side, ch.orders.side);
    for (size_t f = 0; f < kTradeFields; f++) append(out.trades.fields[f], ch.trades.fields[f]);
    for (size_t t = tradeBase; t < out.trades.count(); t++) {
      out.trades.fields[0][t] = double(t);
      out.trades.fields[13][t] += double(positions);
    }
    positions += ch.positions;
    ch = Chunk{};
  }
  return FaultAt{};
}

}  // namespace kernelbus::backtest
