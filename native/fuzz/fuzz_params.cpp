// libFuzzer target of the parameter checks: VPIN's (calls.hpp: vpin::unpackParams,
// vpin::unpackClassifyParams) and every other kernel's unpack() (native/kernels/generated/).
// VPIN invariants: every parameter set the TS layer accepts (input.hpp vpinParams/classifyParams) is
// accepted and unpacked unchanged; with one value replaced by anything, the set is accepted exactly
// when the TS rules (tsAccepts below, resolveVpinOptions/resolveClassify) accept it, and else refused
// with ParamInvalid at that value's position; a vector of the wrong length is refused.
// Other kernels' invariants: a set of values, each valid or anything, is accepted exactly when every
// value meets the rule its descriptor states (generated_rules.hpp: the rules of src/kernels/ as data)
// and is not below the parameter its descriptor names,
// else refused with ParamInvalid at the first that does not; a wrong count is ParamInvalid at index =
// the count expected, value = the count given; the names paramNames() gives have the count the kernel
// reads.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "calls.hpp"
#include "generated/param_names.hpp"
#include "generated_rules.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

bool isIntegerIn(double x, double lo, double hi) { return std::floor(x) == x && x >= lo && x <= hi; }
bool positiveFinite(double x) { return x > 0 && std::isfinite(x); }

// The TS rules over the packed values (all finite: TS passes 0 for the unused sigmaParam and nu).
bool tsAccepts(const std::vector<double>& v, bool classifyOnly) {
  for (double x : v)
    if (!std::isfinite(x)) return false;
  size_t c = 0;
  if (!classifyOnly) {
    if (!positiveFinite(v[0]) || !isIntegerIn(v[1], 1, 1e6) || !positiveFinite(v[2]) || !isIntegerIn(v[3], 0, 2) ||
        !isIntegerIn(v[4], 0, 1e9)) {
      return false;
    }
    c = vpin::kClassifyOffset;
  }
  const double kind = v[c + 1], param = v[c + 2];
  if (!isIntegerIn(v[c], 0, 1) || !isIntegerIn(kind, 0, 3) || !isIntegerIn(v[c + 3], 0, 1)) return false;
  if (kind == vpin::kSigmaFixed && !positiveFinite(param)) return false;
  if (kind == vpin::kSigmaRolling && !isIntegerIn(param, 2, 1e6)) return false;
  if (kind == vpin::kSigmaEwma && !(param >= 0 && param < 1)) return false;
  return v[c + 3] == 0 || positiveFinite(v[c + 4]);
}

// The values `p` holds, packed as `packed` is.
std::vector<double> repacked(const vpin::Params& p, bool classifyOnly) {
  std::vector<double> v = fuzz::packParams(p);
  if (classifyOnly) v.erase(v.begin(), v.begin() + vpin::kClassifyOffset);
  return v;
}

// ---------------------------------------------------------------------------------------------
// The other kernels: the rules of their descriptors as data (generated_rules.hpp, written by npm run
// gen from src/kernels/), read here independently of ParamReader, as param-rules.ts `accepts` reads them.

using fuzz::kMaxInteger;
using fuzz::ParamRule;
using fuzz::Rule;

bool accepts(const ParamRule& r, double x) {
  switch (r.kind) {
    case Rule::Finite:
      return std::isfinite(x);
    case Rule::Positive:
      return positiveFinite(x);
    case Rule::Above:
      return x > r.lo && std::isfinite(x);
    case Rule::AtLeast:
      return x >= r.lo && std::isfinite(x);
    case Rule::AboveZero:
      return x > 0;
    case Rule::OpenUnit:
      return x > 0 && x < 1;
    case Rule::Closed:
      return x >= r.lo && x <= r.hi;
    case Rule::ClosedOr:
      return (x >= r.lo && x <= r.hi) || x == r.off;
    case Rule::Integer:
    case Rule::Code:
    case Rule::Flag:
      return isIntegerIn(x, r.lo, r.hi);
    case Rule::ZeroOrAbove:
      return x == 0 || (x > r.lo && std::isfinite(x));
    case Rule::HalfOpen:
      return x >= r.lo && x < r.hi;
  }
  return false;
}

/// A value for a rule's place: near the edges of every rule, or anything.
double candidate(fuzz::Input& in) {
  static constexpr double kEdges[] = {-1, -0.0, 0, 0.5, 1, 2, 2.5, 1023, 1024, 10000, 10001, kMaxInteger, kMaxInteger + 1, 0.95, 252};
  switch (in.in<int>(0, 3)) {
    case 0:
      return kEdges[in.in<size_t>(0, sizeof(kEdges) / sizeof(kEdges[0]) - 1)];
    case 1:
      return in.real(-2, 4);
    case 2:
      return static_cast<double>(in.in<int>(-2, 12));
    default:
      return in.anyDouble();
  }
}

void otherKernel(fuzz::Input& in) {
  static const std::vector<const fuzz::KernelRules*> all = fuzz::generatedRules();
  const fuzz::KernelRules& k = *all[in.in<size_t>(0, all.size() - 1)];
  ParamNames names{nullptr, 0};
  require(generatedParamNames(k.kernel, names));
  require(names.count == k.rules.size());
  const size_t expected = k.rules.size();
  const size_t count = in.in<int>(0, 7) == 0 ? in.in<size_t>(0, expected + 2) : expected;
  std::vector<double> v(count);
  for (double& x : v) x = candidate(in);
  const Status s = k.unpack(Packed{v.data(), v.size()});
  if (count != expected) {
    require(s.fault == Fault::ParamInvalid && s.index == static_cast<double>(expected) && s.value == static_cast<double>(count));
    return;
  }
  // the first value out of its rule, or below the parameter it may not be below (read after it)
  size_t bad = 0;
  while (bad < expected && accepts(k.rules[bad], v[bad]) && (k.rules[bad].notBelow < 0 || v[bad] >= v[k.rules[bad].notBelow])) bad++;
  if (bad == expected) {
    require(s.ok());
  } else {
    require(s.fault == Fault::ParamInvalid && s.index == static_cast<double>(bad));
    require(s.value == v[bad] || (std::isnan(s.value) && std::isnan(v[bad])));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  if (in.flag()) {
    otherKernel(in);
    return 0;
  }
  const bool classifyOnly = in.flag();
  std::vector<double> packed = repacked(in.vpinParams(false), classifyOnly);
  vpin::Params out;
  require(fuzz::unpackParams(packed, classifyOnly, out).ok());
  require(repacked(out, classifyOnly) == packed);

  const size_t at = in.in<size_t>(0, packed.size());  // packed.size(): change the length instead
  if (at == packed.size()) {
    packed.resize(in.flag() ? in.in<size_t>(0, packed.size() - 1) : packed.size() + in.in<size_t>(1, 4));
  } else {
    packed[at] = in.flag() ? in.anyDouble() : in.in(-2, 4);
  }
  vpin::Params changed;
  const vpin::Status s = fuzz::unpackParams(packed, classifyOnly, changed);
  const size_t expected = classifyOnly ? vpin::kClassifyParamCount : vpin::kParamCount;
  if (packed.size() != expected) {
    require(s.fault == vpin::Fault::ParamInvalid);
    return 0;
  }
  require(s.ok() == tsAccepts(packed, classifyOnly));
  if (s.ok()) {
    require(repacked(changed, classifyOnly) == packed);  // == : -0 and 0 are the same integer
  } else {
    // At the changed value, or at the value it governs: sigmaKind -> sigmaParam, distribution -> nu
    // (positions in the kernel's own table: VPIN_PARAMS, or CLASSIFY_PARAMS for classifyOnly).
    const size_t position = at;
    const size_t offset = classifyOnly ? 0 : vpin::kClassifyOffset;
    const bool governs = position == offset + 1 || position == offset + 3;
    require(s.fault == vpin::Fault::ParamInvalid &&
            (s.index == static_cast<double>(position) || (governs && s.index == static_cast<double>(position + 1))));
  }
  return 0;
}
