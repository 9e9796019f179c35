// The realized measures' entries (src/kernels/features/realized-kernels.ts): counted entries, the
// days found and measured by count(), their columns written by fill().
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "entry.hpp"
#include "realized.hpp"
#include "realized_sums.hpp"

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
  /// The days of (ts, price) under the session p, their S sums per chunk of `chunk` prices by
  /// sums(chunk, double* out) on the pool (each day's added in chunk order), each day's row by
  /// value(n, const double* sums, row). Under a whole-day session the days are found by search and
  /// checked as the sums read them; where a check fails, days() finds the fault.
  template <size_t S, typename P, typename Sums, typename Value>
  Outcome run(In ts, In price, const P& p, size_t chunk, Sums&& sums, Value&& value) {
    if (Outcome o = requireLength(1, price.length, ts.length, "as options.ts"); !o.ok()) return o;
    std::vector<Day> days;
    const bool whole = p.open == 0 && p.close == kDayMs;
    if (whole && wholeDayBounds(ts.data, ts.length, p.offset, days) && measure<S>(ts, price, days, chunk, sums, value, true))
      return Outcome{};
    days.clear();
    if (Status s = features::days(ts.data, price.data, ts.length, p.offset, p.open, p.close, days); !s.ok()) return s;
    measure<S>(ts, price, days, chunk, sums, value, false);
    return Outcome{};
  }

  std::vector<std::array<double, V + 1>> rows_;

 private:
  /// The rows of the days; false where `check` and a check failed.
  template <size_t S, typename Sums, typename Value>
  bool measure(In ts, In price, const std::vector<Day>& days, size_t chunk, Sums& sums, Value& value, bool check);
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
