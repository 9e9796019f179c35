// libFuzzer target of goodTradeRun() / goodTradeRunByCode(): trades (times, prices, volumes occasionally
// arbitrary), a start time, and for the second symbol codes some of which fall outside [0, symbols).
// Invariants: the row returned is the first that breaks the rule row by row (the oracle below), the last
// times are the oracle's, and a code outside the range stops the run at its row with badCode.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "calls.hpp"
#include "trade_run.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {
bool good(double t, double p, double v, double last) { return t >= last && t - t == 0 && p > 0 && p - p == 0 && v >= 0 && v - v == 0; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const double start = in.flag() ? -INFINITY : in.anyDouble();
  const size_t symbols = in.in<size_t>(1, 5);
  const bool byCode = in.flag();
  fuzz::Trades t = in.trades(60000, 2048);
  const size_t n = t.ts.size();
  std::vector<int32_t> codes(n);
  for (int32_t& c : codes)
    c = in.remaining() > 0 && in.byte() < 8 ? in.in<int32_t>(-3, 8) : in.in<int32_t>(0, static_cast<int32_t>(symbols) - 1);

  if (!byCode) {
    double last = start;
    const size_t at = goodTradeRun(t.ts.data(), t.price.data(), t.volume.data(), n, &last);
    double l = start;
    size_t i = 0;
    for (; i < n && good(t.ts[i], t.price[i], t.volume[i], l); i++) l = t.ts[i];
    require(at == i && (last == l || (last != last && l != l)));
    return 0;
  }
  std::vector<double> last(symbols, start), expected(symbols, start);
  bool badCode = true;
  const size_t at = goodTradeRunByCode(t.ts.data(), t.price.data(), t.volume.data(), codes.data(), n, last.data(), symbols, badCode);
  size_t i = 0;
  bool outside = false;
  for (; i < n; i++) {
    const int32_t c = codes[i];
    if (c < 0 || static_cast<size_t>(c) >= symbols) {
      outside = true;
      break;
    }
    if (!good(t.ts[i], t.price[i], t.volume[i], expected[c])) break;
    expected[c] = t.ts[i];
  }
  require(at == i && badCode == outside);
  for (size_t s = 0; s < symbols; s++) require(last[s] == expected[s] || (last[s] != last[s] && expected[s] != expected[s]));
  return 0;
}
