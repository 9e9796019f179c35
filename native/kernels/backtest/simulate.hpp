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

/// Simulates cash groups [firstGroup, endGroup) (their columns from firstCol), order records into `log`
/// in vectorbt's order; `c` indexed by column. Stops at the first fault.
FaultAt simulateGroups(const Simulation& sim, size_t firstGroup, size_t endGroup, size_t firstCol, Columns& c, Orders& log);

}  // namespace kernelbus::backtest
