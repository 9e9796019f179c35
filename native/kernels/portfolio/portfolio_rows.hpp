// y += x_j (row j of S), j in order, for an n x n S: S x added into y. With S symmetric each y_i takes
// the terms of the dot product of row i and x in their order, and the loop is element by element (no
// sum across lanes), so every SIMD level gives the same bits: the dot products' serial chains become
// vector adds (the QP's gradient, w'Sw, riskParity's S v). A zero x_j adds nothing and is skipped (a
// long-only optimum has most of its weights at 0).
#pragma once

#include <cstddef>

#include "simd.hpp"

namespace kernelbus::portfolio {

/// y_i += a[0] r[0]_i + ... + a[k-1] r[k-1]_i over n values, k <= 4 rows, each y_i taking the terms in
/// that order: four rows in one pass over y (one load and store of y_i for four terms), fewer in a pass
/// of two then one, so the bits are those of a row at a time (a pass per row is bound by y's
/// store-to-load). addRows' and the QP's H d (portfolio_qp.cpp) row loops.
KERNELBUS_VECTOR_BODY void addRowGroup(double* y, const double* const* r, const double* a, size_t k, size_t n) {
  if (k == 4) {
    const double *r0 = r[0], *r1 = r[1], *r2 = r[2], *r3 = r[3];
    for (size_t i = 0; i < n; i++) y[i] = (((y[i] + r0[i] * a[0]) + r1[i] * a[1]) + r2[i] * a[2]) + r3[i] * a[3];
    return;
  }
  if (k >= 2) {
    const double *r0 = r[0], *r1 = r[1];
    for (size_t i = 0; i < n; i++) y[i] = (y[i] + r0[i] * a[0]) + r1[i] * a[1];
  }
  if (k == 1 || k == 3) {
    const double* last = r[k - 1];
    for (size_t i = 0; i < n; i++) y[i] += last[i] * a[k - 1];
  }
}

KERNELBUS_VECTOR_BODY void addRowsBody(double* y, const double* S, const double* x, size_t n) {
  const double* rows[4];
  double a[4];
  size_t k = 0;
  for (size_t j = 0; j < n; j++) {
    if (x[j] == 0) continue;
    rows[k] = S + j * n;
    a[k++] = x[j];
    if (k < 4) continue;
    addRowGroup(y, rows, a, 4, n);
    k = 0;
  }
  addRowGroup(y, rows, a, k, n);
}

/// y += S x (S n x n, symmetric), compiled for the SIMD level (simd::run).
inline void addRows(double* y, const double* S, const double* x, size_t n) { simd::run<&addRowsBody>(y, S, x, n); }

}  // namespace kernelbus::portfolio
