// The Metal backend's factorReturns (host.hpp): the native kernel's stages (factor_stages.hpp) with the
// styles' normal equations of every date formed on the runner (kb_gram) between them. The host runs
// the market + sector stage of each date in double precision, hands over each date's usable assets
// (weights, styles, dependent variable; unused assets weigh 0), each of those rows scaled by a power
// of two to at most 1 in magnitude, undoes the scaling of the Gram matrices, and solves them and forms
// the residuals in double precision. Dates go in chunks of at most kChunkValues style values.
#include <algorithm>
#include <cmath>
#include <vector>

#include "factor/factor.hpp"
#include "factor/factor_stages.hpp"
#include "host.hpp"
#include "parallel.hpp"

namespace kernelbus::shader {
namespace {

/// Style values (dates x styles x assets) per chunk of dates at most (64 MB of floats).
constexpr size_t kChunkValues = size_t{1} << 24;

/// The power of two at or above the largest |value| of one date's usable assets (scaleExponent()).
template <typename At>
int exponentOf(size_t n, At at) {
  double largest = 0;
  for (size_t a = 0; a < n; a++) largest = std::max(largest, std::fabs(at(a)));
  int e = 0;
  if (largest > 0) std::frexp(largest, &e);
  return e;
}

}  // namespace

Status factorReturns(Runner& runner, const double* returns, const double* cap, size_t rows, size_t cols, const double* sectors,
                     bool perDate, size_t m, const double* const* styles, size_t s, double winsorize, bool residualize, double* out) {
  using namespace factor;
  const FactorInputs in{returns, cap, rows, cols, sectors, perDate, m, styles, s, winsorize, residualize};
  if (Status st = checkFactorInputs(in); !st.ok()) return st;
  const size_t N = cols, K = in.factors();
  const FactorReturnsOut o = factorReturnsOut(out, rows, cols, m, s);
  std::fill(out, out + factorReturnsLength(rows, cols, m, s), NAN);
  // the market + sector stage of every date (threads share the dates out; each date's result is the same on any)
  std::vector<FactorDate> dates(rows);
  std::vector<char> usable(rows);
  parallelFor(rows, dateGrain(N), [&](size_t begin, size_t end) {
    SectorStage stage(m);
    for (size_t t = begin; t < end; t++) usable[t] = stage.run(in, t, dates[t], o.factorReturns + t * K);
  });
  const size_t chunk = std::max<size_t>(1, std::min(rows, kChunkValues / std::max<size_t>(s * N, 1)));
  requireElements(chunk * s * (s + 1), "the normal equations");
  Buffer X = runner.allocate(std::max<size_t>(chunk * s * N, 1)), W = runner.allocate(std::max<size_t>(chunk * N, 1)),
         Y = runner.allocate(std::max<size_t>(chunk * N, 1)), G = runner.allocate(std::max<size_t>(chunk * s * (s + 1), 1));
  std::vector<int> e(chunk * (s + 2));  // per date: the weights', the dependent variable's, then each style's exponent
  for (size_t first = 0; first < rows; first += chunk) {
    const size_t count = std::min(chunk, rows - first);
    std::fill(X.data, X.data + count * s * N, 0.0f);
    std::fill(W.data, W.data + count * N, 0.0f);
    std::fill(Y.data, Y.data + count * N, 0.0f);
    for (size_t d = 0; d < count && s > 0; d++) {
      const size_t t = first + d;
      if (!usable[t]) continue;
      const FactorDate& date = dates[t];
      const std::vector<double>& y = date.y(residualize);
      const size_t n = date.use.size();
      int* ed = e.data() + d * (s + 2);
      ed[0] = exponentOf(n, [&](size_t a) { return date.w[a]; });
      ed[1] = exponentOf(n, [&](size_t a) { return y[a]; });
      for (size_t a = 0; a < n; a++) {
        W.data[d * N + date.use[a]] = scaled(date.w[a], ed[0]);
        Y.data[d * N + date.use[a]] = scaled(y[a], ed[1]);
      }
      for (size_t k = 0; k < s; k++) {
        const double* x = styles[k] + t * N;
        ed[2 + k] = exponentOf(n, [&](size_t a) { return x[date.use[a]]; });
        for (size_t a = 0; a < n; a++) X.data[(d * s + k) * N + date.use[a]] = scaled(x[date.use[a]], ed[2 + k]);
      }
    }
    if (s > 0) {
      runner.run(Kernel::Gram, {&X, &W, &Y, &G},
                 KbGramParams{static_cast<unsigned>(count), static_cast<unsigned>(N), static_cast<unsigned>(s)}, count * s * (s + 1));
      runner.finish();
    }
    // the style stage of each usable date: the Gram matrix unscaled, solved in double precision
    parallelFor(count, std::max<size_t>(1, 4096 / (N + 1)), [&](size_t begin, size_t end) {
      std::vector<double> A(s * s), c(s);
      StyleScratch scratch;
      for (size_t d = begin; d < end; d++) {
        const size_t t = first + d;
        if (!usable[t]) continue;
        const int* ed = e.data() + d * (s + 2);
        const float* g = G.data + d * s * (s + 1);
        for (size_t a = 0; a < s; a++) {
          for (size_t b = 0; b < s; b++) A[a * s + b] = std::ldexp(static_cast<double>(g[a * (s + 1) + b]), ed[0] + ed[2 + a] + ed[2 + b]);
          c[a] = std::ldexp(static_cast<double>(g[a * (s + 1) + s]), ed[0] + ed[2 + a] + ed[1]);
        }
        styleStage(in, t, dates[t], A.data(), c.data(), o.factorReturns + t * K, o.residuals, scratch);
      }
    });
  }
  return Status{};
}

}  // namespace kernelbus::shader
