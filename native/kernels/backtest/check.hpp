// The native layer's own check of a Simulation record (never trust the caller): shapes against rows and
// cols, groups, and the codes the loops switch on. The API (src/kernels/backtest/backtest-resolve.ts)
// checks the same and names the caller's option first; this is the guard for a direct call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "backtest.hpp"

namespace kernelbus::backtest {

/// Whether `sim` with value groups `valueGroups` (G of them) is one run() accepts; else the field and
/// what it must be.
bool checkSimulation(const Simulation& sim, const int32_t* valueGroups, size_t G, std::string& argument, std::string& expected);

}  // namespace kernelbus::backtest
