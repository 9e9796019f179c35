// The special functions' entries (entry.hpp): f(x[i]) into out[i], NaN in, NaN out (never a fault
// for a value). Student's t packs its degrees of freedom (src/kernels/special-family.ts,
// SPECIAL_KERNELS: nu, a number > 0, Infinity for the normal; generated/special.hpp unpacks it).
#pragma once

#include <cstddef>

#include "entry.hpp"
#include "generated/special.hpp"
#include "special.hpp"

namespace kernelbus::special {

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
