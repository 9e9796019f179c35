// libFuzzer target of timeBars (calls.hpp: vpin::timeBars + vpin::writeTimeBars): arbitrary trades, barMs as resolveBarMs() accepts it.
// Invariants: bar columns of one length; counts >= 1 that add up to the trades; bar starts increasing.
#include <cstddef>
#include <cstdint>

#include "calls.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const double barMs = in.flag() ? 60000 : in.positiveFinite();
  const fuzz::Trades t = in.trades(barMs, 4096);

  fuzz::TimeBars bars;
  const vpin::Status s = fuzz::timeBars(t, barMs, bars);

  using F = vpin::Fault;
  if (!s.ok()) {
    require(fuzz::faultIsOneOf(s, t.size(), {F::TsNotFinite, F::TsDecreasing, F::TsBarOutOfRange, F::PriceNotFinite, F::VolumeInvalid}));
    return 0;
  }
  const size_t n = bars.start.size();
  require(bars.open.size() == n && bars.close.size() == n && bars.volume.size() == n && bars.count.size() == n);
  double trades = 0;
  for (size_t i = 0; i < n; i++) {
    require(bars.count[i] >= 1 && bars.volume[i] >= 0);
    require(i == 0 || bars.start[i] >= bars.start[i - 1]);
    trades += bars.count[i];
  }
  require(trades == static_cast<double>(t.size()));
  return 0;
}
