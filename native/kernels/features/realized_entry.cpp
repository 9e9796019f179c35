// See realized_entry.hpp: the parameters unpacked first (faults formatted from the descriptor the
// registration names), then the lengths, the days, and each day's measure on the pool.
#include "realized_entry.hpp"

#include "parallel.hpp"

namespace kernelbus::features::entry {

template <size_t V>
template <typename Measure>
void DaysOut<V>::measureAll(const std::vector<Day>& days, Measure& measure) {
  parallelForChunks(days.size(), 1, [&](size_t first, size_t last) {
    for (size_t d = first; d < last; d++) {
      rows_[d][0] = days[d].label;
      measure(days[d], rows_[d]);
    }
  });
}

Outcome RealizedVariance::count(In ts, In price, Packed params) {
  RealizedVarianceParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  return run(ts, price, p, [&](const Day& d, auto& row) { row[1] = dayRv(price.data, d.start, d.end); });
}

Outcome BipowerVariation::count(In ts, In price, Packed params) {
  BipowerVariationParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  return run(ts, price, p, [&](const Day& d, auto& row) { row[1] = dayBpv(price.data, d.start, d.end); });
}

Outcome MedRv::count(In ts, In price, Packed params) {
  MedRVParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  return run(ts, price, p, [&](const Day& d, auto& row) { row[1] = dayMedRv(price.data, d.start, d.end); });
}

Outcome MinRv::count(In ts, In price, Packed params) {
  MinRVParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  return run(ts, price, p, [&](const Day& d, auto& row) { row[1] = dayMinRv(price.data, d.start, d.end); });
}

Outcome RealizedSemivariance::count(In ts, In price, Packed params) {
  RealizedSemivarianceParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  return run(ts, price, p, [&](const Day& d, auto& row) { daySemivariance(price.data, d.start, d.end, row[1], row[2]); });
}

Outcome TwoScaleRv::count(In ts, In price, Packed params) {
  TwoScaleRVParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  // j < k (the API's check): k == j would divide by 0 in adj
  if (p.j >= p.k) return Status{Fault::ParamInvalid, 4, static_cast<double>(p.j), 0};
  return run(ts, price, p, [&](const Day& d, auto& row) { row[1] = dayTsrv(price.data, d.start, d.end, p.k, p.j); });
}

Outcome RealizedKernel::count(In ts, In price, Packed params) {
  RealizedKernelParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  return run(ts, price, p, [&](const Day& d, auto& row) {
    thread_local std::vector<double> returns;
    row[1] = dayKernel(price.data, d.start, d.end, p.kernel, p.bandwidth, p.adjust, returns);
  });
}

}  // namespace kernelbus::features::entry
