// See risk.hpp: covariance estimators and portfolio volatility. Each function names its counterpart
// in src/backends/reference/risk/risk.ts.
#include <algorithm>
#include <cmath>
#include <vector>

#include "risk.hpp"
#include "risk_gram.hpp"
#include "parallel.hpp"
#include "risk_checks.hpp"
#include "risk_steps.hpp"
#include "simd.hpp"

namespace kernelbus::risk {
namespace {

using detail::centreColumns;
using detail::checkReturns;
using detail::completeRows;
using detail::crossSweep;
using detail::ewmaSweep;
using detail::Rows;
using detail::sampleSweep;
using detail::weightedSweep;

// v_b = sum over j of w_bj S_j (row j of S), for `count` portfolios at once: S streamed once per block,
// each v_bi summed over j in order, as the reference's inner loop.
KERNELBUS_VECTOR_BODY void weightedRowsBody(const double* cov, size_t n, const double* weights, size_t count, double* v) {
  std::fill(v, v + count * n, 0.0);
  for (size_t j = 0; j < n; j++) {
    const double* __restrict srow = cov + j * n;
    for (size_t b = 0; b < count; b++) {
      const double wj = weights[b * n + j];
      double* __restrict vb = v + b * n;
      for (size_t i = 0; i < n; i++) vb[i] += wj * srow[i];
    }
  }
}
void weightedRows(const double* cov, size_t n, const double* weights, size_t count, double* v) {
  simd::run<weightedRowsBody>(cov, n, weights, count, v);
}

// shrink(): scikit-learn's Ledoit-Wolf or OAS intensity s towards mu I, s into the shrinkage.
void shrink(const CovarianceOut& o, const double* d, size_t n, size_t p, int method) {
  double trace = 0;
  for (size_t i = 0; i < p; i++) trace += o.cov[i * p + i];
  const double dp = static_cast<double>(p), dn = static_cast<double>(n);
  const double mu = trace / dp;
  double squares = 0;
  for (size_t k = 0; k < p * p; k++) squares += o.cov[k] * o.cov[k];
  double s;
  if (p == 1) {
    s = 0;
  } else if (method == kLedoitWolf) {
    // each row's sum of squares in order, four rows side by side (four chains of additions, not one)
    // and the rows shared out between the threads; then beta0 over the rows in order
    std::vector<double> rowSquares(n);
    parallelFor(n, std::max<size_t>(4, 65536 / (p + 1)), [&](size_t begin, size_t end) {
      size_t t = begin;
      for (; t + 4 <= end; t += 4) {
        const double* r = d + t * p;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t i = 0; i < p; i++) {
          s0 += r[i] * r[i];
          s1 += r[p + i] * r[p + i];
          s2 += r[2 * p + i] * r[2 * p + i];
          s3 += r[3 * p + i] * r[3 * p + i];
        }
        rowSquares[t] = s0;
        rowSquares[t + 1] = s1;
        rowSquares[t + 2] = s2;
        rowSquares[t + 3] = s3;
      }
      for (; t < end; t++) {
        double row = 0;
        for (size_t i = 0; i < p; i++) row += d[t * p + i] * d[t * p + i];
        rowSquares[t] = row;
      }
    });
    double beta0 = 0;
    for (size_t t = 0; t < n; t++) beta0 += rowSquares[t] * rowSquares[t];
    double beta = (1 / (dp * dn)) * (beta0 / dn - squares);
    const double delta = (squares - 2 * mu * trace + dp * mu * mu) / dp;
    beta = std::min(beta, delta);
    s = beta > 0 ? beta / delta : 0;
  } else {
    const double alpha = squares / (dp * dp);
    const double num = alpha + mu * mu;
    const double den = (dn + 1) * (alpha - (mu * mu) / dp);
    s = den > 0 ? std::min(num / den, 1.0) : 1;
  }
  for (size_t k = 0; k < p * p; k++) o.cov[k] *= 1 - s;
  for (size_t i = 0; i < p; i++) o.cov[i * p + i] += s * mu;
  *o.shrinkage = s;
}

// cross() through the steps' cross-product.
std::vector<double> cross(const CovarianceSteps& steps, const double* a, const double* b, size_t n, size_t p) {
  std::vector<double> out(p * p);
  steps.cross(a, b, n, p, out.data());
  return out;
}

// blend()
void blend(const CovarianceOut& o, const std::vector<double>& target, double kappa, size_t n, size_t p) {
  const double ratio = kappa / static_cast<double>(n);
  const double upTo1 = ratio < 1 ? ratio : 1;
  const double delta = upTo1 > 0 ? upTo1 : 0;
  for (size_t k = 0; k < p * p; k++) o.cov[k] = delta * target[k] + (1 - delta) * o.cov[k];
  *o.shrinkage = delta;
}

// constantCorrelation()
void constantCorrelation(const CovarianceSteps& steps, const CovarianceOut& o, const double* d, size_t n, size_t p) {
  const std::vector<double> S(o.cov, o.cov + p * p);
  const double dn = static_cast<double>(n), dp = static_cast<double>(p);
  std::vector<double> std_(p);
  for (size_t i = 0; i < p; i++) std_[i] = std::sqrt(S[i * p + i]);
  double correlations = 0;
  for (size_t i = 0; i < p; i++) {
    for (size_t j = 0; j < p; j++) correlations += S[i * p + j] / (std_[i] * std_[j]);
  }
  const double rBar = (correlations - dp) / (dp * (dp - 1));
  std::vector<double> F(p * p);
  for (size_t i = 0; i < p; i++) {
    for (size_t j = 0; j < p; j++) F[i * p + j] = i == j ? S[i * p + i] : rBar * (std_[i] * std_[j]);
  }
  std::vector<double> y(n * p), cube(n * p);
  for (size_t k = 0; k < n * p; k++) {
    y[k] = d[k] * d[k];
    cube[k] = d[k] * d[k] * d[k];
  }
  const std::vector<double> yy = cross(steps, y.data(), y.data(), n, p), xx = cross(steps, d, d, n, p),
                            x3x = cross(steps, cube.data(), d, n, p);
  double pi = 0, piDiagonal = 0, thetaSum = 0, gamma = 0;
  for (size_t i = 0; i < p; i++) {
    for (size_t j = 0; j < p; j++) {
      const size_t k = i * p + j;
      const double piK = yy[k] / dn - (2 * xx[k] * S[k]) / dn + S[k] * S[k];
      pi += piK;
      if (i == j) {
        piDiagonal += piK;
      } else {
        const double h = xx[k] / dn;
        const double theta = x3x[k] / dn - (xx[i * p + i] / dn) * S[k] - h * S[i * p + i] + S[i * p + i] * S[k];
        thetaSum += ((1 / std_[i]) * std_[j]) * theta;
      }
      gamma += (S[k] - F[k]) * (S[k] - F[k]);
    }
  }
  const double rho = piDiagonal + rBar * thetaSum;
  blend(o, F, (pi - rho) / gamma, n, p);
}

// singleFactor()
void singleFactor(const CovarianceSteps& steps, const CovarianceOut& o, const double* d, size_t n, size_t p) {
  const std::vector<double> S(o.cov, o.cov + p * p);
  const double dn = static_cast<double>(n), dp = static_cast<double>(p);
  std::vector<double> market(n);
  for (size_t t = 0; t < n; t++) {
    double s = 0;
    for (size_t i = 0; i < p; i++) s += d[t * p + i];
    market[t] = s / dp;
  }
  std::vector<double> betas(p, 0.0);
  double varMarket = 0;
  for (size_t t = 0; t < n; t++) {
    for (size_t i = 0; i < p; i++) betas[i] += d[t * p + i] * market[t];
    varMarket += market[t] * market[t];
  }
  for (size_t i = 0; i < p; i++) betas[i] /= dn;
  varMarket /= dn;
  std::vector<double> F(p * p);
  for (size_t i = 0; i < p; i++) {
    for (size_t j = 0; j < p; j++) F[i * p + j] = i == j ? S[i * p + i] : (betas[i] * betas[j]) / varMarket;
  }
  std::vector<double> y(n * p), z(n * p);
  for (size_t k = 0; k < n * p; k++) {
    y[k] = d[k] * d[k];
    z[k] = d[k] * market[k / p];
  }
  double rowSquares = 0, fourth = 0;
  for (size_t t = 0; t < n; t++) {
    double row = 0;
    for (size_t i = 0; i < p; i++) {
      row += y[t * p + i];
      fourth += y[t * p + i] * y[t * p + i];
    }
    rowSquares += row * row;
  }
  const std::vector<double> yz = cross(steps, y.data(), z.data(), n, p), zz = cross(steps, z.data(), z.data(), n, p);
  double c = 0, squares = 0, diagonalSquares = 0, roff1 = 0, roff1Diagonal = 0, roff3 = 0, roff3Diagonal = 0;
  for (size_t i = 0; i < p; i++) {
    for (size_t j = 0; j < p; j++) {
      const size_t k = i * p + j;
      c += (S[k] - F[k]) * (S[k] - F[k]);
      squares += S[k] * S[k];
      const double v1 = (1 / dn) * yz[k] - betas[i] * S[k];
      const double v3 = (1 / dn) * zz[k] - varMarket * S[k];
      roff1 += v1 * betas[j];
      roff3 += v3 * (betas[i] * betas[j]);
      if (i == j) {
        diagonalSquares += S[k] * S[k];
        roff1Diagonal += v1 * betas[i];
        roff3Diagonal += v3 * (betas[i] * betas[i]);
      }
    }
  }
  const double pHat = (1 / dn) * rowSquares - squares;
  const double rDiagonal = (1 / dn) * fourth - diagonalSquares;
  const double rOff =
      2 * (roff1 / varMarket - roff1Diagonal / varMarket) - (roff3 / (varMarket * varMarket) - roff3Diagonal / (varMarket * varMarket));
  blend(o, F, (pHat - (rDiagonal + rOff)) / c, n, p);
}

}  // namespace

const VolatilitySteps kNativeVolatilitySteps{8, true, weightedRows};

/// sqrt(w' S w) per portfolio into out[portfolios]: cov n x n, weights portfolios x n (finite).
Status portfolioVolatility(const VolatilitySteps& steps, const double* cov, size_t n, const double* weights, size_t portfolios,
                           double* out) {
  const Status s = detail::checkWeights(weights, portfolios * n, n);
  if (!s.ok()) return s;
  forEachQuadratic(steps, cov, n, weights, portfolios, [&](size_t p, const double*, const double*, double q) { out[p] = std::sqrt(q); });
  return Status{};
}

Status portfolioVolatility(const double* cov, size_t n, const double* weights, size_t portfolios, double* out) {
  return portfolioVolatility(kNativeVolatilitySteps, cov, n, weights, portfolios, out);
}

const CovarianceSteps kNativeCovarianceSteps{sampleSweep, crossSweep};

/// cols x cols covariance of the complete rows (no NaN), then the shrinkage (NaN for sample and EWMA),
/// into out (covarianceOut()); 0 < lambda < 1 (EWMA).
Status covariance(const double* returns, size_t rows, size_t cols, int method, double lambda, bool adjust, double benchmark, double* out) {
  return covariance(kNativeCovarianceSteps, returns, rows, cols, method, lambda, adjust, benchmark, out);
}

Status covariance(const CovarianceSteps& steps, const double* returns, size_t rows, size_t cols, int method, double lambda, bool adjust,
                  double benchmark, double* out) {
  bool missing = false;
  const Status s = checkReturns(returns, rows * cols, cols, &missing);
  if (!s.ok()) return s;
  // the complete rows when some are not (else the returns themselves), then what the sums run over
  Rows d;
  const size_t n = missing ? completeRows(returns, rows, cols, d) : rows;
  const double* kept = missing ? d.data() : returns;
  const CovarianceOut o = covarianceOut(out, cols);
  std::fill(o.cov, o.cov + cols * cols, 0.0);
  *o.shrinkage = NAN;
  if (method != kEwma) {
    const bool ddof1 = method == kSample || method == kConstantCorrelation;
    if (n < (ddof1 ? 2u : 1u)) {
      std::fill(out, out + covarianceLength(cols), NAN);
      return Status{};
    }
    d.resize(n * cols);
    if (method == kSemi) {  // the shortfalls below the benchmark
      for (size_t k = 0; k < n * cols; k++) d[k] = std::min(kept[k] - benchmark, 0.0);
    } else {  // centred
      std::vector<double> mean;
      centreColumns(kept, d.data(), n, cols, mean);
    }
    steps.gram(d.data(), n, cols, o.cov);
    const double divisor = static_cast<double>(ddof1 ? n - 1 : n);
    // the upper triangle divided, then mirrored below (rows handed out in chunks, as the work per row
    // falls with i: row i writes row i and column i below it)
    parallelForChunks(cols, std::max<size_t>(8, 65536 / (cols + 1)), [&](size_t i0, size_t i1) {
      for (size_t i = i0; i < i1; i++) {
        for (size_t j = i; j < cols; j++) o.cov[j * cols + i] = o.cov[i * cols + j] = o.cov[i * cols + j] / divisor;
      }
    });
    if (method == kLedoitWolf || method == kOas) shrink(o, d.data(), n, cols, method);
    if (method == kConstantCorrelation) constantCorrelation(steps, o, d.data(), n, cols);
    if (method == kSingleFactor) singleFactor(steps, o, d.data(), n, cols);
    return Status{};
  } else if (n == 0) {
    std::fill(out, out + covarianceLength(cols), NAN);
    return Status{};
  } else if (adjust) {
    std::vector<double> w(n);
    double den = 0;
    for (size_t t = 0; t < n; t++) {
      w[t] = std::pow(lambda, static_cast<double>(n - 1 - t));
      den += w[t];
    }
    weightedSweep(kept, n, cols, w.data(), o.cov);
    for (size_t i = 0; i < cols * cols; i++) o.cov[i] /= den;
  } else {
    ewmaSweep(kept, n, cols, lambda, o.cov);
  }
  for (size_t i = 0; i < cols; i++) {
    for (size_t j = 0; j < i; j++) o.cov[i * cols + j] = o.cov[j * cols + i];
  }
  return Status{};
}

}  // namespace kernelbus::risk
