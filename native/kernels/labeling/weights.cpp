// The sample weights, the indicator matrix and the sequential bootstrap (generated/labeling.hpp declares
// them): src/backends/reference/labeling/weights.ts in C++, the same operations in the same order.
#include <algorithm>
#include <cmath>
#include <vector>

#include "labeling.hpp"
#include "random.hpp"

namespace kernelbus::labeling {

namespace {

/// The events' bar spans (weights.ts spans).
Status spans(const double* ts, size_t n, const double* t0, size_t m, const double* t1, bool open, std::vector<size_t>& starts,
             std::vector<size_t>& ends) {
  if (Status s = checkTimes(ts, n); !s.ok()) return s;
  if (Status s = eventStarts(ts, n, t0, m, starts); !s.ok()) return s;
  return eventEnds(ts, n, starts, t1, open ? NanEnd::Open : NanEnd::Refuse, ends);
}

}  // namespace

Status concurrentEvents(const double* ts, size_t n, const double* t0, size_t m, const double* t1, double* out) {
  std::vector<size_t> starts;
  std::vector<size_t> ends;
  if (Status s = spans(ts, n, t0, m, t1, true, starts, ends); !s.ok()) return s;
  countConcurrent(starts, ends, n, out);
  return Status{};
}

Status averageUniqueness(const double* ts, size_t n, const double* t0, size_t m, const double* t1, double* out) {
  std::vector<size_t> starts;
  std::vector<size_t> ends;
  if (Status s = spans(ts, n, t0, m, t1, true, starts, ends); !s.ok()) return s;
  averageUniquenessInto(n, starts, ends, out);
  return Status{};
}

Status returnWeights(const double* ts, size_t n, const double* close, const double* t0, size_t m, const double* t1, double* out) {
  std::vector<size_t> starts;
  std::vector<size_t> ends;
  if (Status s = spans(ts, n, t0, m, t1, true, starts, ends); !s.ok()) return s;
  std::vector<double> counts(n);
  countConcurrent(starts, ends, n, counts.data());
  double total = 0;
  for (size_t i = 0; i < m; i++) {
    double sum = 0;
    for (size_t j = std::max<size_t>(starts[i], 1); j <= ends[i]; j++) {
      const double r = random::logOf(close[j]) - random::logOf(close[j - 1]);
      if (!std::isnan(r)) sum += r / counts[j];
    }
    out[i] = std::fabs(sum);
    total += out[i];
  }
  const double scale = static_cast<double>(m) / total;
  for (size_t i = 0; i < m; i++) out[i] *= scale;
  return Status{};
}

Status timeDecayWeights(const double* ts, size_t n, const double* t0, size_t m, const double* t1, double decay, double* out) {
  std::vector<size_t> starts;
  std::vector<size_t> ends;
  if (Status s = spans(ts, n, t0, m, t1, true, starts, ends); !s.ok()) return s;
  if (m == 0) return Status{};
  averageUniquenessInto(n, starts, ends, out);
  for (size_t i = 1; i < m; i++) out[i] += out[i - 1];
  const double last = out[m - 1];
  const double slope = decay >= 0 ? (1 - decay) / last : 1 / ((decay + 1) * last);
  const double c = 1 - slope * last;
  for (size_t i = 0; i < m; i++) {
    const double w = c + slope * out[i];
    out[i] = w < 0 ? 0 : w;
  }
  return Status{};
}

Status indicatorMatrix(const double* ts, size_t n, const double* t0, size_t m, const double* t1, size_t first, size_t rows, double* out) {
  std::vector<size_t> starts;
  std::vector<size_t> ends;
  if (Status s = spans(ts, n, t0, m, t1, false, starts, ends); !s.ok()) return s;
  size_t last = 0;
  for (size_t i = 0; i < m; i++) last = std::max(last, ends[i]);
  const size_t expected = m == 0 ? 0 : last - starts[0] + 1;
  if (rows != expected || (m > 0 && first != starts[0])) return valueFault(ValueFault::IndicatorRows, rows, static_cast<double>(expected));
  const IndicatorMatrixOut o = indicatorMatrixOut(out, rows, m);
  for (size_t r = 0; r < rows; r++) o.times[r] = ts[first + r];
  for (size_t c = 0; c < rows * m; c++) o.values[c] = 0;
  for (size_t i = 0; i < m; i++) {
    for (size_t j = starts[i]; j <= ends[i]; j++) o.values[(j - first) * m + i] = 1;
  }
  return Status{};
}

Status sequentialBootstrap(const double* data, size_t rows, size_t cols, size_t samples, size_t seed, double* out) {
  for (size_t i = 0; i < rows * cols; i++) {
    const double v = data[i];
    if (!(v >= 0 && v < INFINITY)) return valueFault(ValueFault::Indicator, i, v);
  }
  if (samples > 0 && cols == 0) return valueFault(ValueFault::Indicator, 0, NAN);
  const random::Word k0 = static_cast<random::Word>(seed & 0xffffffffu);
  const random::Word k1 = static_cast<random::Word>(seed >> 32);
  std::vector<double> concurrency(rows, 0.0);
  std::vector<double> uniqueness(cols, 0.0);
  for (size_t d = 0; d < samples; d++) {
    double total = 0;
    for (size_t c = 0; c < cols; c++) {
      double mean = 0;
      double count = 0;
      for (size_t r = 0; r < rows; r++) {
        const double v = data[r * cols + c];
        if (v > 0) {
          mean = (mean * count + v / (v + concurrency[r])) / (count + 1);
          count++;
        }
      }
      uniqueness[c] = mean;
      total += mean;
    }
    random::Word x0 = static_cast<random::Word>(d & 0xffffffffu);
    random::Word x1 = static_cast<random::Word>(static_cast<uint64_t>(d) >> 32);
    random::Word x2 = 0;
    random::Word x3 = 0;
    random::philox4x32(x0, x1, x2, x3, k0, k1);
    const double u = random::uniform52(x0, x1);
    size_t choice = cols - 1;
    if (total > 0) {
      const double target = u * total;
      double cumulative = 0;
      for (size_t c = 0; c < cols; c++) {
        cumulative += uniqueness[c];
        if (cumulative > target) {
          choice = c;
          break;
        }
      }
    } else {
      choice = std::min(cols - 1, static_cast<size_t>(std::floor(u * static_cast<double>(cols))));
    }
    out[d] = static_cast<double>(choice);
    for (size_t r = 0; r < rows; r++) concurrency[r] += data[r * cols + choice];
  }
  return Status{};
}

}  // namespace kernelbus::labeling
