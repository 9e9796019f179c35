// See tick.hpp.
#include "tick.hpp"

#include <cfloat>

#include "simd.hpp"

namespace kernelbus::tick {

// Blocks of 64 trades: their changes side by side (a loop that vectorizes, reading the previous prices
// in place), the finiteness of their prices, then the scan 16 lanes at a time. The first trade goes
// the scalar way; the trades after the last whole block are the last 64 trades again, from the sign
// before them (so that no tail runs the scalar way, with a misprediction at each zero tick).
namespace {

KERNELBUS_VECTOR_BODY bool signsBody(Doubles price, size_t n, Carry& c, int8_t* out) {
  if (n == 0) return true;
  bool finite = std::fabs(price[0]) <= DBL_MAX;
  out[0] = static_cast<int8_t>(next(c, price[0]));
  size_t from = 1;
#if KERNELBUS_TICK_VECTORS
  constexpr size_t kBlock = 64;
  if (n > kBlock) {
    int bad = 0;
    auto block = [&](size_t at, Lanes carry) {
      const Doubles p = price + at;
      const Doubles before = p - 1;
      int8_t d[kBlock];
      for (size_t k = 0; k < kBlock; k++) d[k] = static_cast<int8_t>((p[k] > before[k]) - (p[k] < before[k]));
      for (size_t k = 0; k < kBlock; k++) bad |= !(std::fabs(p[k]) <= DBL_MAX);
      for (size_t k = 0; k < kBlock; k += kLanes) {
        Lanes s;
        std::memcpy(&s, d + k, sizeof s);
        s = carryScan(s, carry);
        carry = lastLane(s);
        std::memcpy(out + at + k, &s, sizeof s);
      }
      return carry;
    };
    Lanes carry = Lanes{} + out[0];
    for (; from + kBlock <= n; from += kBlock) carry = block(from, carry);
    if (from < n) block(n - kBlock, Lanes{} + out[n - kBlock - 1]);
    c.sign = out[n - 1];
    c.last = price[n - 1];
    return finite && bad == 0;
  }
#endif
  for (size_t i = from; i < n; i++) {
    finite &= std::fabs(price[i]) <= DBL_MAX;
    out[i] = static_cast<int8_t>(next(c, price[i]));
  }
  return finite;
}

}  // namespace

bool signs(Doubles price, size_t n, Carry& c, int8_t* out) { return simd::run<signsBody>(price, n, c, out); }

}  // namespace kernelbus::tick
