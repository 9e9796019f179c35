// libFuzzer target of vpin::tickRule(): an arbitrary price column.
// Invariants: signs in {-1, 0, 1}, +1 after a rise, -1 after a fall, the previous sign when unchanged;
// a fault exactly at the first non-finite price.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "calls.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const std::vector<double> price = in.column(in.count(4096));
  std::vector<int8_t> out(price.size(), 42);

  const vpin::Status s = vpin::tickRule(price.data(), price.size(), out.data());

  size_t firstBad = 0;
  while (firstBad < price.size() && std::isfinite(price[firstBad])) firstBad++;
  if (!s.ok()) {
    require(s.fault == vpin::Fault::PriceArgNotFinite && s.index == static_cast<double>(firstBad));
    return 0;
  }
  require(firstBad == price.size());
  for (size_t i = 0; i < price.size(); i++) {
    const int8_t previous = i == 0 ? 0 : out[i - 1];
    const int8_t expected = i == 0 ? 0 : price[i] > price[i - 1] ? 1 : price[i] < price[i - 1] ? -1 : previous;
    require(out[i] == expected);
  }
  return 0;
}
