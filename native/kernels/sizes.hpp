// Sizes of a kernel's arrays computed from its counts (rows, cols, portfolios...), saturating at
// kTooLarge where that many doubles could not fit in memory: the output layouts (risk.hpp,
// factor.hpp: <kernel>Parts(), from which <kernel>Length() and <kernel>Out() are derived) and the
// entries' length checks (entry.hpp) use them.
#pragma once

#include <array>
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

/// The length of an output made of consecutive parts of the given sizes (kTooLarge when it cannot fit).
template <size_t K>
size_t total(const std::array<size_t, K>& parts) {
  size_t sum = 0;
  for (size_t part : parts) sum = plus(sum, part);
  return sum;
}
/// Where each of those parts starts in `out` (its sizes checked by the caller against total()).
template <size_t K>
std::array<double*, K> split(double* out, const std::array<size_t, K>& parts) {
  std::array<double*, K> at{};
  for (size_t k = 0; k < K; k++) {
    at[k] = out;
    out += parts[k];
  }
  return at;
}

}  // namespace kernelbus
