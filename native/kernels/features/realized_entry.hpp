// The realized measures' entries (src/kernels/features/realized-kernels.ts): counted entries, the
// days found and measured by count(), their columns written by fill().
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "entry.hpp"
#include "realized.hpp"

namespace kernelbus::features::entry {

constexpr const char* kDayValueColumns[] = {"day", "value"};
constexpr const char* kDaySemivarianceColumns[] = {"day", "positive", "negative"};

/// A measure's days: a row per day, its label then its values (V of them).
template <size_t V>
class DaysOut {
 public:
  size_t rows() const { return rows_.size(); }
  void fill(Columns out) const {
    for (size_t r = 0; r < rows_.size(); r++) {
      for (size_t k = 0; k <= V; k++) out.data[k][r] = rows_[r][k];
    }
  }

 protected:
  /// The days of (ts, price) under the session p, each measured by measure(day, row) on the pool.
  template <typename P, typename Measure>
  Outcome run(In ts, In price, const P& p, Measure&& measure) {
    if (Outcome o = requireLength(1, price.length, ts.length, "as options.ts"); !o.ok()) return o;
    std::vector<Day> days;
    if (Status s = features::days(ts.data, price.data, ts.length, p.offset, p.open, p.close, days); !s.ok()) return s;
    rows_.assign(days.size(), {});
    measureAll(days, measure);
    return Outcome{};
  }

  std::vector<std::array<double, V + 1>> rows_;

 private:
  template <typename Measure>
  void measureAll(const std::vector<Day>& days, Measure& measure);
};

/// realizedVariance, bipowerVariation, medRV, minRV(ts, price, params) -> { day, value }.
class RealizedVariance : public DaysOut<1> {
 public:
  static constexpr const auto& kColumns = kDayValueColumns;
  Outcome count(In ts, In price, Packed params);
};
class BipowerVariation : public DaysOut<1> {
 public:
  static constexpr const auto& kColumns = kDayValueColumns;
  Outcome count(In ts, In price, Packed params);
};
class MedRv : public DaysOut<1> {
 public:
  static constexpr const auto& kColumns = kDayValueColumns;
  Outcome count(In ts, In price, Packed params);
};
class MinRv : public DaysOut<1> {
 public:
  static constexpr const auto& kColumns = kDayValueColumns;
  Outcome count(In ts, In price, Packed params);
};
/// realizedSemivariance(ts, price, params) -> { day, positive, negative }.
class RealizedSemivariance : public DaysOut<2> {
 public:
  static constexpr const auto& kColumns = kDaySemivarianceColumns;
  Outcome count(In ts, In price, Packed params);
};
/// twoScaleRV(ts, price, params) -> { day, value }; params in TWO_SCALE_PARAMS order.
class TwoScaleRv : public DaysOut<1> {
 public:
  static constexpr const auto& kColumns = kDayValueColumns;
  Outcome count(In ts, In price, Packed params);
};
/// realizedKernel(ts, price, params) -> { day, value }; params in REALIZED_KERNEL_PARAMS order.
class RealizedKernel : public DaysOut<1> {
 public:
  static constexpr const auto& kColumns = kDayValueColumns;
  Outcome count(In ts, In price, Packed params);
};

}  // namespace kernelbus::features::entry
