// The symmetric eigen-decomposition and the Cholesky test of eigen.hpp: src/math/eigen.ts line by line.
#include "eigen.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace kernelbus::linalg {

double hypot(double a, double b) {
  const double x = std::fabs(a), y = std::fabs(b);
  if (x > y) {
    const double r = y / x;
    return x * std::sqrt(1 + r * r);
  }
  if (y == 0) return 0;
  const double r = x / y;
  return y * std::sqrt(1 + r * r);
}

namespace {

void transpose(const double* a, size_t n, double* t) {
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
}

// Householder reduction of V (symmetric, full) to tridiagonal d, e; V the transform.
void tred2(double* V, double* d, double* e, size_t n) {
  if (n == 0) return;
  for (size_t j = 0; j < n; j++) d[j] = V[(n - 1) * n + j];
  for (size_t i = n - 1; i > 0; i--) {
    double scale = 0, h = 0;
    for (size_t k = 0; k < i; k++) scale += std::fabs(d[k]);
    if (scale == 0) {
      e[i] = d[i - 1];
      for (size_t j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (size_t k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      double f = d[i - 1];
      double g = std::sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (size_t j = 0; j < i; j++) e[j] = 0;
      for (size_t j = 0; j < i; j++) {
        f = d[j];
        V[j * n + i] = f;
        g = e[j] + V[j * n + j] * f;
        for (size_t k = j + 1; k + 1 <= i; k++) {
          g += V[k * n + j] * d[k];
          e[k] += V[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (size_t j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const double hh = f / (h + h);
      for (size_t j = 0; j < i; j++) e[j] -= hh * d[j];
      for (size_t j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (size_t k = j; k + 1 <= i; k++) V[k * n + j] -= f * e[k] + g * d[k];
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (size_t i = 0; i + 1 < n; i++) {
    V[(n - 1) * n + i] = V[i * n + i];
    V[i * n + i] = 1;
    const double h = d[i + 1];
    if (h != 0) {
      for (size_t k = 0; k <= i; k++) d[k] = V[k * n + i + 1] / h;
      for (size_t j = 0; j <= i; j++) {
        double g = 0;
        for (size_t k = 0; k <= i; k++) g += V[k * n + i + 1] * V[k * n + j];
        for (size_t k = 0; k <= i; k++) V[k * n + j] -= g * d[k];
      }
    }
    for (size_t k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (size_t j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j];
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

// Implicit QL on (d, e) accumulating into W (the transform transposed: eigenvector k is row k), sorted.
bool tql2(double* W, double* d, double* e, size_t n) {
  if (n == 0) return true;
  for (size_t i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  double f = 0, tst1 = 0;
  const double eps = std::ldexp(1.0, -52);
  for (size_t l = 0; l < n; l++) {
    tst1 = std::max(tst1, std::fabs(d[l]) + std::fabs(e[l]));
    size_t m = l;
    while (m < n) {
      if (std::fabs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m == n) return false;
    if (m > l) {
      size_t iter = 0;
      do {
        if (++iter > 30 * n + 30) return false;
        double g = d[l];
        double p = (d[l + 1] - g) / (2 * e[l]);
        double r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const double dl1 = d[l + 1];
        double h = g - d[l];
        for (size_t i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        double c = 1, c2 = c, c3 = c;
        const double el1 = e[l + 1];
        double s = 0, s2 = 0;
        for (size_t i = m; i-- > l;) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          double* wi = W + i * n;
          double* wi1 = wi + n;
          for (size_t k = 0; k < n; k++) {
            h = wi1[k];
            wi1[k] = s * wi[k] + c * h;
            wi[k] = c * wi[k] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (std::fabs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  for (size_t i = 0; i + 1 < n; i++) {
    size_t k = i;
    double p = d[i];
    for (size_t j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k != i) {
      d[k] = d[i];
      d[i] = p;
      for (size_t j = 0; j < n; j++) std::swap(W[i * n + j], W[k * n + j]);
    }
  }
  return true;
}

}  // namespace

bool symmetricEigen(const double* a, size_t n, double* values, double* vectors) {
  double* V = vectors;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j <= i; j++) V[i * n + j] = V[j * n + i] = a[i * n + j];
  std::vector<double> e(n), W(n * n);
  tred2(V, values, e.data(), n);
  transpose(V, n, W.data());
  const bool ok = tql2(W.data(), values, e.data(), n);
  transpose(W.data(), n, V);
  return ok;
}

bool choleskySucceeds(const double* a, size_t n, double shift) {
  std::vector<double> L(n * n, 0.0);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j <= i; j++) L[i * n + j] = a[i * n + j] + (i == j ? shift : 0);
  for (size_t k = 0; k < n; k++) {
    const double pivot = L[k * n + k];
    if (!(pivot > 0 && pivot < INFINITY)) return false;
    const double lkk = std::sqrt(pivot);
    L[k * n + k] = lkk;
    for (size_t i = k + 1; i < n; i++) L[i * n + k] /= lkk;
    for (size_t i = k + 1; i < n; i++) {
      const double lik = L[i * n + k];
      for (size_t j = k + 1; j <= i; j++) L[i * n + j] -= lik * L[j * n + k];
    }
  }
  return true;
}

}  // namespace kernelbus::linalg
