// The margin family's shared C++ (src/kernels/margin/): its fault kinds and a P&L's margin. The
// kernels are declared by the generated header (generated/margin.hpp) and defined beside it:
// scenarios.cpp (filteredScenarios), book.cpp (initialMargin, marginalMargin, pnlMargin).
#pragma once

#include <cstddef>
#include <vector>

#include "generated/margin.hpp"

namespace kernelbus::margin {

/// What is wrong: a MarginInputInvalid fault's previous (margin-faults.ts MarginFault).
enum class MarginFault : int {
  Return = 0,
  Stress = 1,
  Position = 2,
  Scenario = 3,
  Pnl = 4,
  ScenarioCount = 5,
  Seed = 6,
  Horizon = 7,
  Instrument = 8,
  Garch = 9,
  ColumnLength = 10,
};

inline Status marginFault(MarginFault kind, double index, double value) {
  return Status{Fault::MarginInputInvalid, index, value, static_cast<double>(kind)};
}

/// The first value of x[0..n) that is not finite, as the `kind` fault; ok when every one is.
Status requireFinite(const double* x, size_t n, MarginFault kind);

/// The margin of n >= 1 P&L values (reordered): their historical ES (measure 0) or VaR at c, floored at 0.
double marginOf(double* pnl, size_t n, double c, int measure, std::vector<double>& scratch);

}  // namespace kernelbus::margin
