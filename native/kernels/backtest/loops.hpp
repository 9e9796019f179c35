// The simulations' loop over cash groups (loops.cpp) and the per-column state it keeps across bars.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "backtest.hpp"
#include "execute.hpp"

namespace kernelbus::backtest {

/// A column's state between bars but its position and its bar's cash flow: what a step reads and
/// writes, side by side (two cache lines); sizes, size types, directions and slippages are the bar's
/// orders from signals.
struct ColumnState {
  double debt = 0, valPrice = kNaN, price = kNaN, slPrice = kNaN, slStop = kNaN, tpPrice = kNaN, tpStop = kNaN;
  double size = 0, slippage = 0;
  int sizeType = 0, direction = 0;
  uint8_t slTrail = 0;
};

/// Per-column state: the position, and the rest (ColumnState).
struct Columns {
  explicit Columns(size_t k);
  std::vector<double> position;
  std::vector<ColumnState> state;
};

/// One cash group's run: its columns, cash, the order records it made (in vectorbt's order), and where
/// it stopped, if it did.
struct GroupRun {
  size_t from = 0, n = 0;
  double cash = 0, freeCash = 0;
  FaultAt fault;  // beside the cash: a step reads one cache line of its run
  Orders orders;
};

/// A chunk of value groups: [firstValueGroup, endValueGroup), their cash groups and columns.
struct ChunkBounds {
  size_t firstValueGroup = 0, endValueGroup = 0, firstGroup = 0, endGroup = 0, firstCol = 0, endCol = 0;
};

/// Simulates a chunk's cash groups in lockstep, bar by bar, one GroupRun each into `runs` (a group
/// stops at its first fault), the chunk's order records into `orders` in vectorbt's order (group by
/// group); `c` indexed by column.
void simulateChunk(const Simulation& sim, const ChunkBounds& b, const int32_t* valueGroups, Columns& c, std::vector<GroupRun>& runs,
                   Orders& orders);

}  // namespace kernelbus::backtest
