// goodTradeRun(): the trade rule over a run of rows, for the readers' screen and the engines' trade gate
// (src/kernels/trade-check.ts goodRun / goodRunByCode, its reference): a trade is good when its time is
// finite and not before its symbol's last good time, its price finite and > 0, its volume finite and
// >= 0. The run stops at the first bad row; the symbols' last good times move on to it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernelbus {

/// The first row of ts, price, volume [0, n) (one symbol) that breaks the rule after *last, or n;
/// *last becomes the run's last time.
size_t goodTradeRun(const double* ts, const double* price, const double* volume, size_t n, double* last);

/// goodTradeRun() of rows of many symbols, row i's symbol codes[i] with its last good time in
/// last[codes[i]] (codes in [0, symbols)): the first bad row, or the first with a code outside that
/// range (`badCode` set), or n.
size_t goodTradeRunByCode(const double* ts, const double* price, const double* volume, const int32_t* codes, size_t n, double* last,
                          size_t symbols, bool& badCode);

}  // namespace kernelbus
