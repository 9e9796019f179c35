// rollingMaxDrawdown (risk_rolling_drawdown.hpp): src/backends/reference/risk/risk-rolling-drawdown.ts in the
// same order of floating-point operations per column (its comment gives the method: a block's suffix
// paths composed backward, the next block's prefix forward, one composition per window). Here a chunk
// of columns is swept row by row (memory read in order; the loops over the columns vectorize: the
// compositions are products and selects, one division per window), the suffixes of the chunk's
// columns kept side by side (window x width per quantity).
#include "risk_rolling_drawdown.hpp"

#include <algorithm>
#include <initializer_list>
#include <vector>

namespace kernelbus::risk::detail {
namespace {

// LOW, HIGH: the wealth bounds (relative to the window's start) within which the composed path is used.
constexpr double kLow = 1e-150, kHigh = 1e150;

// factor()
inline double factor(double r) { return 1 + (r == r ? r : 0); }

// maxDrawdownOf() over column c of rows [begin, end).
double maxDrawdownOf(const double* returns, size_t cols, size_t c, size_t begin, size_t end) {
  double growth = 1, peak = 100, worst = 0;
  for (size_t t = begin; t < end; t++) {
    const double r = returns[t * cols + c];
    growth *= 1 + (r == r ? r : 0);
    const double value = growth * 100;
    peak = value > peak ? value : peak;
    const double drawdown = (value - peak) / peak;
    worst = drawdown < worst ? drawdown : worst;
  }
  return 0 - worst;
}

// The state of a chunk of `width` columns (at most the width it was made for): the block's suffixes
// (Suffixes: entry i * width + j for column j) and the prefix of the current block per column.
struct Chunk {
  size_t width;
  std::vector<double> sg, smax, smin, sbest;     // window x width
  std::vector<double> g, max, min, ratio, best;  // width: the prefix
  std::vector<double> fg, fmax, fmin, fbest;     // width: the running suffix of fill()
  std::vector<unsigned char> direct;             // width: the window computed from its dates
  Chunk(size_t window, size_t width)
      : width(width),
        sg(window * width),
        smax(window * width),
        smin(window * width),
        sbest(window * width),
        g(width),
        max(width),
        min(width),
        ratio(width),
        best(width),
        fg(width),
        fmax(width),
        fmin(width),
        fbest(width),
        direct(width) {}
};

// Suffixes.fill() for the chunk's columns from the rows start .. start + w - 1 (x: the chunk's first
// column of row 0).
void fill(Chunk& k, const double* x, size_t cols, size_t start, size_t w) {
  const size_t width = k.width;
  double* __restrict g = k.fg.data();
  double* __restrict max = k.fmax.data();
  double* __restrict min = k.fmin.data();
  double* __restrict best = k.fbest.data();
  for (auto* v : {&k.fg, &k.fmax, &k.fmin, &k.fbest}) std::fill(v->begin(), v->end(), 1.0);
  for (size_t i = w; i-- > 0;) {
    const double* __restrict row = x + (start + i) * cols;
    double* __restrict sg = k.sg.data() + i * width;
    double* __restrict smax = k.smax.data() + i * width;
    double* __restrict smin = k.smin.data() + i * width;
    double* __restrict sbest = k.sbest.data() + i * width;
    for (size_t j = 0; j < width; j++) {
      const double f = factor(row[j]);
      const double low = f < 1 ? f : 1, high = f > 1 ? f : 1;
      const double cross = low * min[j];
      const double b = best[j] < low ? best[j] : low;
      best[j] = cross < b ? cross : b;
      g[j] = f * g[j];
      const double up = f * max[j];
      max[j] = up > high ? up : high;
      const double down = f * min[j];
      min[j] = down < low ? down : low;
      sg[j] = g[j];
      smax[j] = max[j];
      smin[j] = min[j];
      sbest[j] = best[j];
    }
  }
}

// rollingMaxDrawdown() of the chunk's columns, c0 .. c0 + k.width - 1.
void chunkDrawdowns(Chunk& k, const double* returns, size_t rows, size_t cols, size_t w, size_t c0, double* out) {
  const size_t width = k.width;
  const double* x = returns + c0;
  double* __restrict g = k.g.data();
  double* __restrict max = k.max.data();
  double* __restrict min = k.min.data();
  double* __restrict ratio = k.ratio.data();
  double* __restrict best = k.best.data();
  unsigned char* __restrict direct = k.direct.data();
  for (size_t t = 0; t < rows; t++) {
    const size_t phase = t % w;
    if (phase == 0) {
      if (t > 0) fill(k, x, cols, t - w, w);
      for (auto* v : {&k.g, &k.max, &k.min, &k.ratio, &k.best}) std::fill(v->begin(), v->end(), 1.0);
    }
    const double* __restrict row = x + t * cols;
    for (size_t j = 0; j < width; j++) {
      const double f = factor(row[j]);
      g[j] *= f;
      max[j] = g[j] > max[j] ? g[j] : max[j];
      min[j] = g[j] < min[j] ? g[j] : min[j];
      const double next = ratio[j] * f;
      ratio[j] = next < 1 ? next : 1;
      best[j] = ratio[j] < best[j] ? ratio[j] : best[j];
    }
    if (t + 1 < w) continue;
    double* __restrict o = out + t * cols + c0;
    if (phase + 1 < w) {
      const size_t at = (phase + 1) * width;
      const double* __restrict sg = k.sg.data() + at;
      const double* __restrict smax = k.smax.data() + at;
      const double* __restrict smin = k.smin.data() + at;
      const double* __restrict sbest = k.sbest.data() + at;
      for (size_t j = 0; j < width; j++) {
        const double cross = (sg[j] * min[j]) / smax[j];
        double b = sbest[j] < best[j] ? sbest[j] : best[j];
        b = cross < b ? cross : b;
        const double up = sg[j] * max[j], down = sg[j] * min[j];
        const double high = up > smax[j] ? up : smax[j], low = down < smin[j] ? down : smin[j];
        const bool composed = low > kLow && high < kHigh;
        o[j] = 1 - b;
        direct[j] = !composed;
      }
    } else {
      for (size_t j = 0; j < width; j++) {
        o[j] = 1 - best[j];
        direct[j] = !(min[j] > kLow && max[j] < kHigh);
      }
    }
    for (size_t j = 0; j < width; j++)
      if (direct[j]) o[j] = maxDrawdownOf(returns, cols, c0 + j, t + 1 - w, t + 1);
  }
}

}  // namespace

void rollingMaxDrawdown(const double* returns, size_t rows, size_t cols, size_t window, size_t begin, size_t end, double* out) {
  // chunks of up to 64 columns, fewer for long windows (the suffixes hold 4 x window x width values)
  const size_t most = std::max<size_t>(1, std::min<size_t>(64, (size_t{1} << 15) / window));
  Chunk k(std::min(window, rows), std::min(most, end - begin));  // suffixes only of whole blocks: none when window > rows
  for (size_t c0 = begin; c0 < end; c0 += most) {
    k.width = std::min(most, end - c0);
    chunkDrawdowns(k, returns, rows, cols, window, c0, out);
  }
}

}  // namespace kernelbus::risk::detail
