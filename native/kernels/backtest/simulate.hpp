// The simulations' loop over cash groups (simulate.cpp) and the per-column state it keeps across bars.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "backtest.hpp"

namespace kernelbus::backtest {

/// Per-column state: position, debt, valuation and order price, stops, and a bar's orders from signals.
struct Columns {
  explicit Columns(size_t k);
  std::vector<double> position, debt, valPrice, price, slPrice, slStop, tpPrice, tpStop;
  std::vector<uint8_t> slTrail;
  std::vector<double> sizes;
  std::vector<int> sizeTypes, directions;
  std::vector<double> slippages;
};

/// One cash group's run: its columns, cash, the order records it made (in vectorbt's order), and where
/// it stopped, if it did.
struct GroupRun {
  size_t from = 0, n = 0;
  double cash = 0, freeCash = 0;
  Orders orders;
  FaultAt fault;
};

/// Simulates cash groups [firstGroup, endGroup) (their columns from firstCol) in lockstep, bar by bar,
/// one GroupRun each into `runs`; `c` indexed by column. A group stops at its first fault.
void simulateGroups(const Simulation& sim, size_t firstGroup, size_t endGroup, size_t firstCol, Columns& c, std::vector<GroupRun>& runs);

}  // namespace kernelbus::backtest
