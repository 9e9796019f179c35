// Sizes of a kernel's arrays computed from its counts (rows, cols, portfolios...), saturating at
// kTooLarge where that many doubles could not fit in memory: the output layouts (risk.hpp,
// factor.hpp: <kernel>Length()) and the entries' length checks (entry.hpp) use them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernelbus {

/// A size whose doubles do not fit in memory.
constexpr size_t kTooLarge = SIZE_MAX;

/// a x b, or kTooLarge when that many doubles cannot fit in memory.
inline size_t cells(size_t a, size_t b) {
  if (a == kTooLarge || b == kTooLarge || (b != 0 && a > SIZE_MAX / 8 / b)) return kTooLarge;
  return a * b;
}
/// a + b, kTooLarge when either is (or the sum does not fit).
inline size_t plus(size_t a, size_t b) {
  if (a > SIZE_MAX / 8 || b > SIZE_MAX / 8 - a) return kTooLarge;
  return a + b;
}

}  // namespace kernelbus
