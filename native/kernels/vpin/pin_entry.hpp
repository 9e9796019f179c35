// The PIN kernels' entries (entry.hpp; the VPIN family's pinLikelihood and pin, src/kernels/vpin/pin-kernels.ts):
// the packed parameters unpacked (generated/pin.hpp: pinLikelihood's the model's five and the
// factorization code, pin's the code and whether boundary estimates are left out), the counts checked
// (PinCountInvalid), the lengths, then pin.hpp's kernels.
#pragma once

#include "entry.hpp"
#include "generated/pin.hpp"
#include "pin.hpp"

namespace kernelbus::pin {

namespace entry {

/// pinLikelihood(buys, sells, params, out): the log-likelihood into out[0].
Outcome pinLikelihood(In buys, In sells, Packed params, Out out);
/// pin(buys, sells, sets, params, out): the estimate from the initial sets (5 values each) into out (7).
Outcome pin(In buys, In sells, In sets, Packed params, Out out);

}  // namespace entry
}  // namespace kernelbus::pin
