// y += x_j (row j of S), j in order, for an n x n S: S x added into y. With S symmetric each y_i takes
// the terms of the dot product of row i and x in their order, and the loop is element by element (no
// sum across lanes), so every SIMD level gives the same bits: the dot products' serial chains become
// vector adds (the QP's gradient, w'Sw, riskParity's S v). A zero x_j adds nothing and is skipped (a
// long-only optimum has most of its weights at 0).
#pragma once

#include <cstddef>

#include "simd.hpp"

namespace kernelbus::portfolio {

KERNELBUS_VECTOR_BODY void addRowsBody(double* y, const double* S, const double* x, size_t n) {
  for (size_t j = 0; j < n; j++) {
    const double a = x[j];
    if (a == 0) continue;
    const double* row = S + j * n;
    for (size_t i = 0; i < n; i++) y[i] += row[i] * a;
  }
}

/// y += S x (S n x n, symmetric), compiled for the SIMD level (simd::run).
inline void addRows(double* y, const double* S, const double* x, size_t n) { simd::run<&addRowsBody>(y, S, x, n); }

}  // namespace kernelbus::portfolio
