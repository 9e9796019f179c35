// The special functions' entries (special_entry.hpp).
#include "special_entry.hpp"

namespace kernelbus::special {

namespace entry {

namespace {

/// f over x into out, value by value (the functions with no vectorized form).
template <double (*F)(double)>
Outcome each(In x, Out out) {
  if (Outcome o = requireLength(1, out, x.length); !o.ok()) return o;
  for (size_t i = 0; i < x.length; i++) out.data[i] = F(x.data[i]);
  return Outcome{};
}

/// f(x[i], nu) into out; `Params` the kernel's (its nu).
template <double (*F)(double, double), typename Params>
Outcome eachNu(In x, Packed params, Out out) {
  Params p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(2, out, x.length); !o.ok()) return o;
  for (size_t i = 0; i < x.length; i++) out.data[i] = F(x.data[i], p.nu);
  return Outcome{};
}

}  // namespace

Outcome normalCdf(In x, Out out) {
  if (Outcome o = requireLength(1, out, x.length); !o.ok()) return o;
  normalCdfMany(x.data, out.data, x.length);
  return Outcome{};
}
Outcome normalSf(In x, Out out) { return each<kernelbus::normalSf>(x, out); }
Outcome normalPdf(In x, Out out) { return each<kernelbus::normalPdf>(x, out); }
Outcome normalQuantile(In p, Out out) { return each<kernelbus::normalQuantile>(p, out); }
Outcome studentTCdf(In t, Packed params, Out out) { return eachNu<kernelbus::studentTCdf, StudentTCdfParams>(t, params, out); }
Outcome studentTQuantile(In p, Packed params, Out out) {
  return eachNu<kernelbus::studentTQuantile, StudentTQuantileParams>(p, params, out);
}

}  // namespace entry
}  // namespace kernelbus::special
