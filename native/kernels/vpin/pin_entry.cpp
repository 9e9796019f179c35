// See pin_entry.hpp.
#include "pin_entry.hpp"

#include <cfloat>
#include <cmath>
#include <iterator>

namespace kernelbus::pin {

// The outputs' layout is the descriptors' (PIN_KERNELS in src/kernels/vpin/pin-kernels.ts, generated names).
static_assert(std::size(kPinOutputs) == kEstimateLength, "pin's outputs: kEstimateLength values, as its descriptor");
constexpr size_t kLikelihoodLength = std::size(kPinLikelihoodOutputs);

namespace {

/// The days: buys of at least one, sells as long.
Outcome requireDays(In buys, In sells) {
  if (buys.length == 0) return ArgFault{0, -1, "at least one period", "length 0"};
  return requireLength(1, sells, buys.length, "as buys");
}

/// The initial sets: a whole number of sets (at least one), each alpha, delta in [0, 1], rates finite >= 0.
Outcome requireSets(In sets) {
  if (sets.length == 0 || sets.length % kSetWidth != 0) {
    return ArgFault{2, -1, "a whole number of initial sets (5 values each), at least one", "length " + std::to_string(sets.length)};
  }
  for (size_t i = 0; i < sets.length; i++) {
    const double v = sets.data[i];
    const bool unit = i % kSetWidth < 2;
    if (!(v >= 0 && (unit ? v <= 1 : v <= DBL_MAX))) {
      return ArgFault{2, -1, unit ? "alpha and delta in [0, 1]" : "rates finite and >= 0",
                      "sets[" + std::to_string(i) + "] = " + std::to_string(v)};
    }
  }
  return Outcome{};
}

}  // namespace

namespace entry {

Outcome pinLikelihood(In buys, In sells, Packed params, Out out) {
  PinLikelihoodParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  if (Outcome o = requireDays(buys, sells); !o.ok()) return o;
  if (Outcome o = requireLength(3, out, kLikelihoodLength); !o.ok()) return o;
  if (Status s = checkCounts(buys.data, sells.data, buys.length); !s.ok()) return s;
  const Params model{p.alpha, p.delta, p.mu, p.epsilonBuy, p.epsilonSell};
  out.data[0] = logLikelihood(model, buys.data, sells.data, buys.length, static_cast<Factorization>(p.factorization));
  return Outcome{};
}

Outcome pin(In buys, In sells, In sets, Packed params, Out out) {
  PinParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  if (Outcome o = requireDays(buys, sells); !o.ok()) return o;
  if (Outcome o = requireSets(sets); !o.ok()) return o;
  if (Outcome o = requireLength(4, out, kEstimateLength); !o.ok()) return o;
  if (Status s = checkCounts(buys.data, sells.data, buys.length); !s.ok()) return s;
  estimate(buys.data, sells.data, buys.length, sets.data, sets.length / kSetWidth, static_cast<Factorization>(p.factorization),
           p.excludeBoundaries, out.data);
  return Outcome{};
}

}  // namespace entry
}  // namespace kernelbus::pin
