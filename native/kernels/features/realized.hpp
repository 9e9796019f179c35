// Realized measures per day and HAR (src/backends/reference/features/realized.ts, har.ts): R
// highfrequency's formulas on each day's prices, the same functions in the same order of
// floating-point operations. The days are found first (days(): under a whole-day session the trades
// checked in parallel chunks and each day's end found by search; else, or at a fault, in one pass),
// then measured in parallel, a day whole on one thread (results do not depend on the thread count).
#pragma once

#include <cstddef>
#include <vector>

#include "doubles.hpp"
#include "generated/features.hpp"

namespace kernelbus::features {

/// The days of a call: trades [start, end) make the day labelled `label` (its local midnight, epoch ms).
struct Day {
  size_t start, end;
  double label;
};

/// The days of ts under the session (offset, open, close), the prices of kept trades checked:
/// RealizedTsInvalid, RealizedPriceInvalid at the first fault, as the reference's days().
Status days(Doubles ts, Doubles price, size_t n, double offset, double open, double close, std::vector<Day>& out);

/// One day's measures of the prices [start, end) (the reference's day* functions).
double dayRv(Doubles price, size_t start, size_t end);
double dayBpv(Doubles price, size_t start, size_t end);
double dayMedRv(Doubles price, size_t start, size_t end);
double dayMinRv(Doubles price, size_t start, size_t end);
void daySemivariance(Doubles price, size_t start, size_t end, double& up, double& down);
double dayTsrv(Doubles price, size_t start, size_t end, size_t K, size_t J);
double dayKernel(Doubles price, size_t start, size_t end, int type, size_t H, bool adjust, std::vector<double>& r);

}  // namespace kernelbus::features
