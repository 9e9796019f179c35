// PIN (Easley, Kiefer, O'Hara and Paperman 1996) as PINstimation estimates it: the log-likelihood in
// its three factorizations computed in log space, and maximum likelihood from a list of initial sets
// (computed by the caller: src/kernels/vpin/pin-initials.ts), each optimized by Nelder-Mead
// within the box, all sets in parallel, the best kept. Line by line src/backends/reference/vpin/pin.ts
// (the same logs and exps, elementary.hpp; the same optimizer, nelder_mead.hpp): the same estimates
// bit for bit. Plain C++17, no N-API.
#pragma once

#include <cstddef>

#include "status.hpp"

namespace kernelbus::pin {

using Status = kernelbus::Status;

/// The model's parameters (PINstimation's alpha, delta, mu, eps.b, eps.s).
struct Params {
  double alpha, delta, mu, epsilonBuy, epsilonSell;
};

/// The factorizations (the packed code): Ersan 2016, Lin-Ke 2011, Easley-Hvidkjaer-O'Hara 2010.
enum class Factorization : int { E = 0, LK = 1, EHO = 2 };

/// Values per initial set in the packed list: alpha, delta, mu, eps.b, eps.s.
constexpr size_t kSetWidth = 5;
/// pin()'s output: alpha, delta, mu, eps.b, eps.s, pin, log-likelihood (PIN_KERNELS.pin.outputs).
constexpr size_t kEstimateLength = 7;

/// Each of buys[i], sells[i] (i < n) a finite integer >= 0 (Number.isInteger): else PinCountInvalid at i (previous
/// 0 for buys, 1 for sells).
Status checkCounts(const double* buys, const double* sells, size_t n);

/// The log-likelihood at p over n days, sum(log B! + log S!) subtracted (pinLikelihood).
double logLikelihood(const Params& p, const double* buys, const double* sells, size_t n, Factorization f);

/// Maximum likelihood from each of the `count` initial sets (count x kSetWidth values, count >= 1),
/// the best kept (the higher likelihood, ties by the parameters), into out[kEstimateLength]; with
/// excludeBoundaries (pin_yz's) an estimate of alpha exactly 0 or 1 is not kept, and none kept is
/// all NaN. Runs the sets on parallelFor's threads, each whole on one: the result does not depend
/// on the thread count.
void estimate(const double* buys, const double* sells, size_t n, const double* sets, size_t count, Factorization f, bool excludeBoundaries,
              double* out);

}  // namespace kernelbus::pin
