// A recurrence of one series (EMA, Wilder's averages) computed as K chains side by side, with
// the bits of the one chain TA-Lib runs. A bar's step depends on the previous bar's state, a chain of
// dependent operations (about 9 cycles a bar for an EMA, 20 for RSI's divisions) that leaves the
// core's other units idle; chains over different stretches of the series overlap.
//
// Chain 0 starts from the exact state; chain j >= 1 from a guess, `warm` bars before its stretch.
// These averages forget their start (each step keeps a fraction `keep` < 1 of the state), so after
// `warm` steps a guessed chain's state is, in practice, the exact one to the last bit; from a bar
// where the states are equal bit for bit they stay equal (the same operations on the same values).
// That is checked, never assumed: chain j's state at the start of its stretch is compared with the
// exact state that chain j - 1 ends with, and where they differ the stretch is computed again from
// the exact state, as TA-Lib does, up to a bar where the exact state is the chain's (checked every
// kCheckpoint bars). A state that is not finite (NaN or infinity in the input: its
// NaN's bits could depend on the order of the operands) sends the whole series through the one
// chain. The outputs are thus always those of the one chain.
//
// A guess is not forgotten over a flat stretch: an average of no moves sinks to one of a few
// subnormal values it then keeps (a step that rounds it back to itself), which depends on the whole
// history. So the one chain (a stretch computed again, or a short series) skips a run of repeated
// bars once a step leaves its state unchanged: each bar of the run has the same state and outputs.
#pragma once
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <vector>

#include "simd.hpp"

namespace kernelbus::indicators::chains {

/// Bars between the checks of a chain's state against the exact one (a stretch whose start differs
/// is computed again up to the first check where they agree).
constexpr size_t kCheckpoint = 1024;

/// Steps after which a start's error, shrunk by `keep` a step, is below 2^-53 of it, doubled
/// (the last bits still wander while the states round toward each other).
inline size_t warmSteps(double keep) { return static_cast<size_t>(std::ceil(2 * 53 * std::log(2.0) / -std::log(keep))) + 16; }

template <size_t M>
using State = std::array<double, M>;

/// Equal bits (NaN's and zero's signs included).
inline bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
template <size_t M>
bool same(const State<M>& a, const State<M>& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

/// A recurrence of a State<M>, as run() takes it: `step(state, t)` takes the state before bar
/// t to the one after it and writes bar t's outputs; `guess(t)` is a finite state for a chain that
/// starts at bar t; `repeats(t)`: bar t's step reads the same values as bar t - 1's (a flat
/// stretch); `copy(t)` writes bar t - 1's outputs to bar t.
template <typename Step, typename Guess, typename Repeats, typename Copy>
struct Recurrence {
  Step step;
  Guess guess;
  Repeats repeats;
  Copy copy;
};
template <typename Step, typename Guess, typename Repeats, typename Copy>
Recurrence<Step, Guess, Repeats, Copy> recurrence(Step step, Guess guess, Repeats repeats, Copy copy) {
  return {step, guess, repeats, copy};
}

/// The one chain over bars [from, to) from `s` (left the state after bar to - 1).
template <size_t M, typename R>
void one(const R& r, State<M>& state, size_t from, size_t to) {
  State<M> s = state;  // a local, in registers: no output's store can alias it
  for (size_t t = from; t < to; t++) {
    const State<M> before = s;
    r.step(s, t);
    if (same(before, s))
      while (t + 1 < to && r.repeats(t + 1)) r.copy(++t);
  }
  state = s;
}

/// The recurrence `r` over bars [begin, n) from `exact`, in K chains as the module's comment says
/// (`warm` from warmSteps()). `lockstep(s, at, from, to)` runs r.step(s[j], at[j] + i) for i in
/// [from, to), i outer, j inner (an indicator's vectorized copy of it).
template <size_t K, size_t M, typename R, typename Lockstep>
void run(const R& r, State<M> exact, size_t begin, size_t n, size_t warm, Lockstep&& lockstep) {
  const size_t stretch = n > begin + warm ? (n - begin - warm) / K : 0;
  if (stretch < 4 * warm) {  // too short to split (a panel's column): the plain loop
    State<M> s = exact;
    for (size_t t = begin; t < n; t++) r.step(s, t);
    return;
  }
  // chain j runs bars [at[j], at[j] + warm + stretch): its own stretch after `warm` bars (chain 0's
  // warm bars are its own too); a guessed chain's warm bars are written over later by chain j - 1
  std::array<size_t, K> at;
  std::array<State<M>, K> s;
  for (size_t j = 0; j < K; j++) {
    at[j] = begin + j * stretch;
    s[j] = j == 0 ? exact : r.guess(at[j]);
  }
  lockstep(s, at, 0, warm);
  // each chain's state at the start of its stretch and every kCheckpoint bars after
  const size_t marks = (stretch + kCheckpoint - 1) / kCheckpoint;
  std::vector<std::array<State<M>, K>> checkpoints(marks);
  for (size_t m = 0; m < marks; m++) {
    checkpoints[m] = s;
    const size_t from = warm + m * kCheckpoint;
    lockstep(s, at, from, std::min(from + kCheckpoint, warm + stretch));
  }
  State<M> carry = s[0];
  for (size_t j = 1; j < K; j++) {
    // the exact state from chain j - 1's end over chain j's stretch, until it is chain j's
    size_t m = 0;
    while (m < marks && !same(carry, checkpoints[m][j])) {
      const size_t from = at[j] + warm + m * kCheckpoint;
      one<M>(r, carry, from, std::min(from + kCheckpoint, at[j] + warm + stretch));
      m++;
    }
    if (m < marks) carry = s[j];
  }
  one<M>(r, carry, begin + K * stretch + warm, n);
  for (double v : carry)
    if (!std::isfinite(v)) return one<M>(r, exact, begin, n);
}

#if defined(__GNUC__)
// A vectorized lockstep's 4 chains: their values in a vector (GCC and clang's vector extension),
// a select a mask (all bits set where taken); vector_abi.hpp silences GCC's ABI note for the files that
// include this one (their calls warn as well as the helpers).
#include "vector_abi.hpp"
typedef double D4 __attribute__((vector_size(4 * sizeof(double))));
typedef long long L4 __attribute__((vector_size(4 * sizeof(double))));

/// x[at[j] + i] for the 4 chains j.
KERNELBUS_VECTOR_BODY D4 gather(const double* x, const size_t* at, size_t i) {
  return D4{x[at[0] + i], x[at[1] + i], x[at[2] + i], x[at[3] + i]};
}
/// out[at[j] + i] = v[j] for the 4 chains j.
KERNELBUS_VECTOR_BODY void scatter(double* out, const size_t* at, size_t i, const D4& v) {
  for (size_t j = 0; j < 4; j++) out[at[j] + i] = v[j];
}
/// yes ? a : b, lane by lane.
KERNELBUS_VECTOR_BODY D4 select(const L4& yes, const D4& a, const D4& b) { return (D4)((yes & (L4)a) | (~yes & (L4)b)); }
/// |v|, lane by lane.
KERNELBUS_VECTOR_BODY D4 abs(const D4& v) { return (D4)((L4)v & 0x7fffffffffffffffLL); }
/// TA_IS_ZERO, lane by lane.
KERNELBUS_VECTOR_BODY L4 isZero(const D4& v) { return (v > -1e-14) & (v < 1e-14); }
#endif

/// run() with the lockstep of r.step itself.
template <size_t K, size_t M, typename R>
void run(const R& r, State<M> exact, size_t begin, size_t n, size_t warm) {
  run<K>(r, exact, begin, n, warm, [&](std::array<State<M>, K>& states, const std::array<size_t, K>& at, size_t from, size_t to) {
    std::array<State<M>, K> s = states;  // locals, as in one()
    for (size_t i = from; i < to; i++)
      for (size_t j = 0; j < K; j++) r.step(s[j], at[j] + i);
    states = s;
  });
}

}  // namespace kernelbus::indicators::chains
