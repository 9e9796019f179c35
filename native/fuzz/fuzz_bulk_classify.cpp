// libFuzzer target of vpin::bulkClassify(): arbitrary bar columns, classification parameters as
// resolveClassifyOptions() accepts them. Invariants: buy[i] in [0, volume[i]] (a CDF in [0, 1] times
// the volume); a fault only for a non-finite open/close or a bad volume, at an index inside the bars.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "calls.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  vpin::Params p;
  in.classifyParams(p, false);
  const size_t n = in.count(2048, 3);
  const std::vector<double> open = in.column(n), close = in.column(n), volume = in.column(n);
  std::vector<double> buy(n, -1);

  const vpin::Status s = vpin::bulkClassify(open.data(), close.data(), volume.data(), n, p, buy.data());

  using F = vpin::Fault;
  if (!s.ok()) {
    require(fuzz::faultIsOneOf(s, n, {F::OpenNotFinite, F::CloseNotFinite, F::BarVolumeInvalid}));
    return 0;
  }
  for (size_t i = 0; i < n; i++) require(buy[i] >= 0 && buy[i] <= volume[i]);
  return 0;
}
