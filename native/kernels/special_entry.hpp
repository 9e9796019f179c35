// The special functions' entries (entry.hpp): f(x[i]) into out[i], NaN in, NaN out (never a fault
// for a value). Student's t packs its degrees of freedom (src/kernels/special-family.ts,
// SPECIAL_KERNELS: nu, a number > 0, Infinity for the normal).
#pragma once

#include <cstddef>
#include <string_view>

#include "entry.hpp"
#include "special.hpp"

namespace kernelbus::special {

constexpr const char* kStudentTParams[] = {"nu"};
/// Student's t degrees of freedom: a number > 0 (Infinity: the normal).
Status unpack(Packed packed, double& nu);

/// The parameter names of the special function `kernel` (count 0 for one without parameters); false
/// when there is no such function.
bool paramNames(std::string_view kernel, ParamNames& out);

namespace entry {

/// normalCdf(x, out) ... normalQuantile(p, out)
Outcome normalCdf(In x, Out out);
Outcome normalSf(In x, Out out);
Outcome normalPdf(In x, Out out);
Outcome normalQuantile(In p, Out out);
/// studentTCdf(t, params, out), studentTQuantile(p, params, out)
Outcome studentTCdf(In t, Packed params, Out out);
Outcome studentTQuantile(In p, Packed params, Out out);

}  // namespace entry
}  // namespace kernelbus::special
