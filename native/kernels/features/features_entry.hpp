// The features family's entries (entry.hpp; the descriptors are src/kernels/features/features-kernels.ts):
// bars are counted entries, their rows found by the kernel's pass (kept here), then written into the
// columns the binding allocates (kBarColumns).
#pragma once

#include <cstddef>
#include <vector>

#include "entry.hpp"
#include "features.hpp"

namespace kernelbus::features::entry {

/// The bars of a kernel's pass, written column by column.
class BarsOut {
 public:
  static constexpr const auto& kColumns = kBarColumns;
  size_t rows() const { return rows_.size(); }
  void fill(Columns out) const;

 protected:
  std::vector<BarRow> rows_;
};

/// bars(ts, price, volume, params) -> the bar columns; params in BARS_PARAMS order.
class Bars : public BarsOut {
 public:
  Outcome count(In ts, In price, In volume, Packed params);
};

/// imbalanceBars(ts, price, volume, params) -> the bar columns; params in INFORMATION_BAR_PARAMS order.
class ImbalanceBars : public BarsOut {
 public:
  Outcome count(In ts, In price, In volume, Packed params);
};

/// runBars(ts, price, volume, params) -> the bar columns; params in INFORMATION_BAR_PARAMS order.
class RunBars : public BarsOut {
 public:
  Outcome count(In ts, In price, In volume, Packed params);
};

}  // namespace kernelbus::features::entry
