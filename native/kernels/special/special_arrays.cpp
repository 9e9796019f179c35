// The special functions over arrays, as the addon calls them: f(x[i]) into out[i] for the n values,
// NaN in, NaN out, never a fault (math/special.cpp and math/special_chi.cpp: the functions of one number; their
// declarations, layouts and entries: generated/special.hpp from src/kernels/special/special-family.ts).
#include <cstddef>

#include "generated/special.hpp"
#include "math/special.hpp"

namespace kernelbus::special {

namespace {

/// f of each value.
template <double (*F)(double)>
Status each(const double* x, size_t n, double* out) {
  for (size_t i = 0; i < n; i++) out[i] = F(x[i]);
  return Status{};
}

/// f of each value with nu.
template <double (*F)(double, double)>
Status eachNu(const double* x, size_t n, double nu, double* out) {
  for (size_t i = 0; i < n; i++) out[i] = F(x[i], nu);
  return Status{};
}

}  // namespace

Status normalCdf(const double* x, size_t n, double* out) {
  normalCdfMany(x, out, n);
  return Status{};
}
Status normalSf(const double* x, size_t n, double* out) { return each<kernelbus::normalSf>(x, n, out); }
Status normalPdf(const double* x, size_t n, double* out) { return each<kernelbus::normalPdf>(x, n, out); }
Status normalQuantile(const double* p, size_t n, double* out) { return each<kernelbus::normalQuantile>(p, n, out); }
Status studentTCdf(const double* t, size_t n, double nu, double* out) { return eachNu<kernelbus::studentTCdf>(t, n, nu, out); }
Status studentTQuantile(const double* p, size_t n, double nu, double* out) { return eachNu<kernelbus::studentTQuantile>(p, n, nu, out); }

}  // namespace kernelbus::special
