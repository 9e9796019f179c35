// See realized_entry.hpp: the parameters unpacked first (faults formatted from the descriptor the
// registration names), then the lengths, the days, each day's chunks' sums on the pool, and each
// day's value from its sums.
#include "realized_entry.hpp"

#include <atomic>
#include <cstdint>

#include "parallel.hpp"

namespace kernelbus::features::entry {

template <size_t V>
template <size_t S, typename Sums, typename Value>
bool DaysOut<V>::measure(In ts, In price, const std::vector<Day>& days, size_t chunk, Sums& sums, Value& value, bool check) {
  struct Part {
    size_t day, from, to;
  };
  std::vector<Part> parts;
  for (size_t d = 0; d < days.size(); d++) {
    for (size_t from = days[d].start; from < days[d].end;) {
      const size_t to = days[d].end - from > chunk ? from + chunk : days[d].end;
      parts.push_back(Part{d, from, to});
      from = to;
    }
  }
  std::vector<std::array<double, S>> partSums(parts.size());
  std::atomic<bool> ok{true};
  parallelForChunks(parts.size(), 1, [&](size_t first, size_t last) {
    for (size_t k = first; k < last; k++) {
      Chunk c{ts.data, price.data, days[parts[k].day].start, parts[k].from, parts[k].to, check};
      sums(c, partSums[k].data());
      if (!c.ok) ok.store(false, std::memory_order_relaxed);
    }
  });
  if (!ok.load()) return false;
  rows_.assign(days.size(), {});
  for (size_t d = 0, k = 0; d < days.size(); d++) {
    std::array<double, S> total{};
    for (; k < parts.size() && parts[k].day == d; k++) {
      for (size_t s = 0; s < S; s++) total[s] += partSums[k][s];
    }
    rows_[d][0] = days[d].label;
    value(days[d].end - days[d].start, total.data(), rows_[d]);
  }
  return true;
}

namespace {

/// A measure whose sums are one Term's with returns over one price.
auto sumsOf(Term term) {
  return [term](Chunk& c, double* out) { chunkSums(term, c, 1, out); };
}

}  // namespace

Outcome RealizedVariance::count(In ts, In price, Packed params) {
  RealizedVarianceParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  return run<1>(ts, price, p, kChunk, sumsOf(Term::squares), [](size_t, const double* s, auto& row) { row[1] = s[0]; });
}

Outcome BipowerVariation::count(In ts, In price, Packed params) {
  BipowerVariationParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  return run<1>(ts, price, p, kChunk, sumsOf(Term::bipower), [](size_t, const double* s, auto& row) { row[1] = bpvOf(s[0]); });
}

Outcome MedRv::count(In ts, In price, Packed params) {
  MedRVParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  return run<1>(ts, price, p, kChunk, sumsOf(Term::median), [](size_t n, const double* s, auto& row) { row[1] = medRvOf(n, s[0]); });
}

Outcome MinRv::count(In ts, In price, Packed params) {
  MinRVParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  return run<1>(ts, price, p, kChunk, sumsOf(Term::min), [](size_t n, const double* s, auto& row) { row[1] = minRvOf(n, s[0]); });
}

Outcome RealizedSemivariance::count(In ts, In price, Packed params) {
  RealizedSemivarianceParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  return run<2>(ts, price, p, kChunk, sumsOf(Term::semivariances), [](size_t, const double* s, auto& row) {
    row[1] = s[0];
    row[2] = s[1];
  });
}

Outcome TwoScaleRv::count(In ts, In price, Packed params) {
  TwoScaleRVParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  // j < k (the API's check): k == j would divide by 0 in adj
  if (p.j >= p.k) return Status{Fault::ParamInvalid, 4, static_cast<double>(p.j), 0};
  const auto sums = [&](Chunk& c, double* out) {
    chunkSums(Term::squares, c, p.k, out);
    c.check = false;  // checked once
    chunkSums(Term::squares, c, p.j, out + 1);
  };
  return run<2>(ts, price, p, kChunk, sums, [&](size_t n, const double* s, auto& row) { row[1] = tsrvOf(n, p.k, p.j, s[0], s[1]); });
}

Outcome RealizedKernel::count(In ts, In price, Packed params) {
  RealizedKernelParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  // a day whole, one chunk
  const auto sums = [&](Chunk& c, double* out) {
    if (c.check) checkChunk(c);
    thread_local std::vector<double> returns;
    out[0] = dayKernel(price.data, c.from, c.to, p.kernel, p.bandwidth, p.adjust, returns);
  };
  return run<1>(ts, price, p, SIZE_MAX, sums, [](size_t, const double* s, auto& row) { row[1] = s[0]; });
}

}  // namespace kernelbus::features::entry
