// The PIN kernels' entries (entry.hpp; the VPIN family's pinLikelihood and pin, src/kernels/pin-kernels.ts):
// the packed parameters (PIN_KERNELS' params: the model's five and the factorization code), the
// counts checked (PinCountInvalid), the lengths, then pin.hpp's kernels.
#pragma once

#include <string_view>

#include "entry.hpp"
#include "pin.hpp"

namespace kernelbus::pin {

constexpr const char* kPinLikelihoodParams[] = {"alpha", "delta", "mu", "epsilonBuy", "epsilonSell", "factorization"};
constexpr const char* kPinParams[] = {"factorization", "excludeBoundaries"};

/// pinLikelihood's packed parameters: the model's (alpha, delta in [0, 1], rates finite >= 0) and
/// the factorization code (0 'e', 1 'lk', 2 'eho').
struct LikelihoodParams {
  Params model;
  Factorization factorization;
};
Status unpack(Packed packed, LikelihoodParams& out);
/// pin's packed parameters: the factorization code, and whether boundary estimates are left out (0 or 1).
struct EstimateParams {
  Factorization factorization;
  bool excludeBoundaries;
};
Status unpack(Packed packed, EstimateParams& out);

/// The parameter names of `kernel` ('pinLikelihood' or 'pin'); false for another name.
bool paramNames(std::string_view kernel, ParamNames& out);

namespace entry {

/// pinLikelihood(buys, sells, params, out): the log-likelihood into out[0].
Outcome pinLikelihood(In buys, In sells, Packed params, Out out);
/// pin(buys, sells, sets, params, out): the estimate from the initial sets (5 values each) into out (7).
Outcome pin(In buys, In sells, In sets, Packed params, Out out);

}  // namespace entry
}  // namespace kernelbus::pin
