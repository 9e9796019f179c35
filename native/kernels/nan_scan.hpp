// firstNaN(): the first NaN of a column, for the readers' check that a required column (a trade's ts,
// price and volume) has no missing value: CSV, Parquet and Arrow alike (native/io, src/io/read.ts).
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernelbus {

/// The index of the first NaN among values[0, n), -1 when there is none.
int64_t firstNaN(const double* values, size_t n);

}  // namespace kernelbus
