// signalBytes(): signals given as numbers of any typed array's element type as bytes (backtest.hpp),
// a pass the compiler vectorizes, in chunks on the pool's threads: a 2,520 x 1,000 panel of doubles
// is 20 MB to read.
#include <type_traits>

#include "backtest.hpp"
#include "parallel.hpp"

namespace kernelbus::backtest {

namespace {

template <typename T>
void truthBytes(const T* x, size_t n, uint8_t* out) {
  parallelForChunks(n, size_t{1} << 16, [&](size_t begin, size_t end) {
    if constexpr (std::is_floating_point_v<T>) {
      // NaN compares false both ways: 0
      for (size_t i = begin; i < end; i++) out[i] = static_cast<uint8_t>((x[i] > 0) | (x[i] < 0));
    } else {
      for (size_t i = begin; i < end; i++) out[i] = static_cast<uint8_t>(x[i] != 0);
    }
  });
}

}  // namespace

void signalBytes(const double* x, size_t n, uint8_t* out) { truthBytes(x, n, out); }
void signalBytes(const float* x, size_t n, uint8_t* out) { truthBytes(x, n, out); }
void signalBytes(const int16_t* x, size_t n, uint8_t* out) { truthBytes(x, n, out); }
void signalBytes(const uint16_t* x, size_t n, uint8_t* out) { truthBytes(x, n, out); }
void signalBytes(const int32_t* x, size_t n, uint8_t* out) { truthBytes(x, n, out); }
void signalBytes(const uint32_t* x, size_t n, uint8_t* out) { truthBytes(x, n, out); }
void signalBytes(const int64_t* x, size_t n, uint8_t* out) { truthBytes(x, n, out); }
void signalBytes(const uint64_t* x, size_t n, uint8_t* out) { truthBytes(x, n, out); }

}  // namespace kernelbus::backtest
