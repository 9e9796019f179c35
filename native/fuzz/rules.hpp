// The parameter rules of src/kernels/param-rules.ts as data, for the generated rule tables
// (native/fuzz/generated/<family>_fuzz.hpp) that fuzz_params.cpp reads.
#pragma once

#include <vector>

#include "entry.hpp"

namespace kernelbus::fuzz {

/// The rule kinds of src/kernels/param-rules.ts.
enum class Rule { Finite, Positive, Above, AtLeast, AboveZero, OpenUnit, Closed, ClosedOr, Integer, ZeroOrAbove, Code, Flag, HalfOpen };

/// A rule and its numbers (an Integer, Code or Flag: the range [lo, hi]); `notBelow`: the index of an
/// earlier parameter this one may not be below, else -1.
struct ParamRule {
  Rule kind;
  double lo = 0, hi = 0, off = 0;
  int notBelow = -1;
};
constexpr double kMaxInteger = ParamReader::kMaxInteger;

/// A kernel's rules and its unpack() (into a throwaway Params).
struct KernelRules {
  const char* kernel;
  std::vector<ParamRule> rules;
  Status (*unpack)(Packed);
};
template <typename P>
Status unpackInto(Packed packed) {
  P out;
  return unpack(packed, out);
}

}  // namespace kernelbus::fuzz
