// Scans of a whole column: firstNaN(), the first NaN, for the readers' check that a required column (a
// trade's ts, price and volume) has no missing value: CSV, Parquet and Arrow alike (native/io,
// src/io/read.ts); columnSum(), a column's total (`kernelbus vpin`'s default bucket volume).
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernelbus {

/// The index of the first NaN among values[0, n), -1 when there is none.
int64_t firstNaN(const double* values, size_t n);

/// The sum of values[0, n) (0 when n is 0; NaN where one is NaN), added in chunks of 2^18 values, eight
/// running sums in each, the chunks' sums then added in order: the same bits on any number of threads.
/// Whole numbers below 2^53 in all add up exactly, as in any order.
double columnSum(const double* values, size_t n);

}  // namespace kernelbus
