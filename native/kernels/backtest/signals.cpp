// signalBytes(): a Float64Array's signals as bytes (backtest.hpp), a pass the compiler vectorizes,
// in chunks on the pool's threads: a 2,520 x 1,000 panel is 20 MB to read.
#include "backtest.hpp"
#include "parallel.hpp"

namespace kernelbus::backtest {

void signalBytes(const double* x, size_t n, uint8_t* out) {
  parallelForChunks(n, size_t{1} << 16, [&](size_t begin, size_t end) {
    // NaN compares false both ways: 0
    for (size_t i = begin; i < end; i++) out[i] = static_cast<uint8_t>((x[i] > 0) | (x[i] < 0));
  });
}

}  // namespace kernelbus::backtest
