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

/// add(x, y), with y == 0 (most bars: no order) answered without the tolerance test: add_nb(x, 0) is 0
/// where |x| <= 1e-12, else x.
inline double addFlow(double x, double y) { return y == 0 ? (std::fabs(x) <= kAbsTol ? 0.0 : x) : add(x, y); }

/// One chunk of value groups: their cash groups' runs, then their records joined in order.
struct Chunk {
  size_t firstValueGroup = 0, endValueGroup = 0, firstGroup = 0, endGroup = 0, firstCol = 0, endCol = 0;
  std::vector<GroupRun> runs;
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

/// The series and trades of a chunk's columns from its records (row by row over the chunk's columns:
/// the inputs and outputs are row-major), value groups [firstValueGroup, endValueGroup) of G.
void derive(const Simulation& sim, Chunk& ch, const int32_t* valueGroups, size_t G, const double* initCash, Output& out) {
  const size_t T = sim.rows, K = sim.cols, C = ch.endCol - ch.firstCol;
  std::vector<std::vector<size_t>> byCol(C);
  for (size_t r = 0; r < ch.orders.count(); r++) byCol[size_t(ch.orders.col[r]) - ch.firstCol].push_back(r);
  // each bar's flows, summed with add_nb: assets into the output, cash flows beside them
  std::vector<double> cashFlow(T * C, 0.0);
  for (size_t i = 0; i < T; i++) std::fill(out.assets + i * K + ch.firstCol, out.assets + i * K + ch.endCol, 0.0);
  for (size_t k = 0; k < C; k++) {
    for (const size_t o : byCol[k]) {
      const double size = ch.orders.side[o] == kBuy ? ch.orders.size[o] : -ch.orders.size[o];
      const size_t i = size_t(ch.orders.idx[o]);
      double& assets = out.assets[i * K + ch.firstCol + k];
      assets = add(assets, size);
      cashFlow[i * C + k] = add(cashFlow[i * C + k], -size * ch.orders.price[o] - ch.orders.fees[o]);
    }
  }
  // the closes filled forward (here) and backward (the leading NaN: the first number, from `first`)
  std::vector<double> close(C, kNaN), first(C, kNaN), position(C, 0.0), assetValue(C);
  for (size_t i = 0, missing = C; i < T && missing > 0; i++)
    for (size_t k = 0; k < C; k++)
      if (std::isnan(first[k]) && !std::isnan(first[k] = sim.close.at(i, ch.firstCol + k))) missing--;
  std::vector<double> cash(ch.endValueGroup - ch.firstValueGroup);
  for (size_t g = ch.firstValueGroup; g < ch.endValueGroup; g++) cash[g - ch.firstValueGroup] = initCash[g];
  for (size_t i = 0; i < T; i++) {
    for (size_t k = 0; k < C; k++) {
      const double v = sim.close.at(i, ch.firstCol + k);
      if (!std::isnan(v)) close[k] = v;
      const double c = std::isnan(close[k]) ? first[k] : close[k];
      double& assets = out.assets[i * K + ch.firstCol + k];
      position[k] = addFlow(position[k], assets);
      assets = position[k];
      assetValue[k] = position[k] == 0 ? 0.0 : c * position[k];
    }
    size_t k = 0;
    for (size_t g = ch.firstValueGroup; g < ch.endValueGroup; g++) {
      double flow = 0, held = 0;
      for (const size_t end = k + size_t(valueGroups[g]); k < end; k++) {
        flow += cashFlow[i * C + k];
        held += assetValue[k];
      }
      double& now = cash[g - ch.firstValueGroup];
      now = addFlow(now, flow);
      out.cash[i * G + g] = now;
      out.value[i * G + g] = now + held;
    }
  }
  for (size_t k = 0; k < C; k++) {
    exitTrades(ch.orders, byCol[k], ch.firstCol + k, sim.close.at(T - 1, ch.firstCol + k), T - 1, ch.trades, ch.positions);
  }
}

}  // namespace

FaultAt run(const Simulation& sim, const int32_t* valueGroups, size_t G, Output& out) {
  // value group g: its columns and the cash groups they hold (a cash group lies in one value group)
  std::vector<size_t> firstCol(G + 1), firstGroup(G + 1);
  std::vector<double> initCash(G, 0.0);
  for (size_t g = 0, col = 0, cashGroup = 0; g < G; g++) {
    firstCol[g] = col;
    firstGroup[g] = cashGroup;
    const size_t end = col + size_t(valueGroups[g]);
    while (col < end) {
      initCash[g] += sim.initCash[cashGroup];
      col += size_t(sim.groupLens[cashGroup++]);
    }
    firstCol[g + 1] = col;
    firstGroup[g + 1] = cashGroup;
  }
  // chunks of value groups: about 16 columns each, simulated in lockstep (bounds independent of the threads)
  const size_t per = std::max<size_t>(1, G * 16 / std::max<size_t>(1, sim.cols));
  std::vector<Chunk> chunks((G + per - 1) / per);
  for (size_t c = 0; c < chunks.size(); c++) {
    Chunk& ch = chunks[c];
    ch.firstValueGroup = c * per;
    ch.endValueGroup = std::min(G, (c + 1) * per);
    ch.firstGroup = firstGroup[ch.firstValueGroup];
    ch.endGroup = firstGroup[ch.endValueGroup];
    ch.firstCol = firstCol[ch.firstValueGroup];
    ch.endCol = firstCol[ch.endValueGroup];
  }
  Columns columns(sim.cols);
  parallelForChunks(chunks.size(), 1, [&](size_t begin, size_t end) {
    for (size_t c = begin; c < end; c++) {
      Chunk& ch = chunks[c];
      simulateGroups(sim, ch.firstGroup, ch.endGroup, ch.firstCol, columns, ch.runs);
      for (GroupRun& run : ch.runs) {
        if (!run.fault.ok()) {
          ch.fault = run.fault;
          break;
        }
      }
      if (!ch.fault.ok()) continue;
      size_t n = 0;
      for (const GroupRun& run : ch.runs) n += run.orders.count();
      for (std::vector<double>* v : {&ch.orders.col, &ch.orders.idx, &ch.orders.size, &ch.orders.price, &ch.orders.fees, &ch.orders.side}) v->reserve(n);
      for (GroupRun& run : ch.runs) {
        const auto append = [](std::vector<double>& to, const std::vector<double>& from) { to.insert(to.end(), from.begin(), from.end()); };
        append(ch.orders.col, run.orders.col);
        append(ch.orders.idx, run.orders.idx);
        append(ch.orders.size, run.orders.size);
        append(ch.orders.price, run.orders.price);
        append(ch.orders.fees, run.orders.fees);
        append(ch.orders.side, run.orders.side);
        run.orders = Orders{};
      }
      derive(sim, ch, valueGroups, G, initCash.data(), out);
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
