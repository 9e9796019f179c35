// libFuzzer target of the parameter check (calls.hpp: vpin::unpackParams, vpin::unpackClassifyParams).
// Invariants: every parameter set the TS layer accepts (input.hpp vpinParams/classifyParams) is
// accepted and unpacked unchanged; with one value replaced by anything, the set is accepted exactly
// when the TS rules (tsAccepts below, resolveVpinOptions/resolveClassify) accept it, and else refused
// with ParamInvalid at that value's position; a vector of the wrong length is refused.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "calls.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

bool isIntegerIn(double x, double lo, double hi) { return std::floor(x) == x && x >= lo && x <= hi; }
bool positiveFinite(double x) { return x > 0 && std::isfinite(x); }

// The TS rules over the packed values (all finite: TS passes 0 for the unused sigmaParam and nu).
bool tsAccepts(const std::vector<double>& v, bool classifyOnly) {
  for (double x : v) if (!std::isfinite(x)) return false;
  size_t c = 0;
  if (!classifyOnly) {
    if (!positiveFinite(v[0]) || !isIntegerIn(v[1], 1, 1e6) || !positiveFinite(v[2]) || !isIntegerIn(v[3], 0, 1)) {
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
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
    // At the changed value, or at the value it governs: sigmaKind -> sigmaParam, distribution -> nu.
    const size_t position = at + (classifyOnly ? vpin::kClassifyOffset : 0);  // in kParamNames
    const bool governs = position == vpin::kClassifyOffset + 1 || position == vpin::kClassifyOffset + 3;
    require(s.fault == vpin::Fault::ParamInvalid &&
            (s.index == static_cast<double>(position) || (governs && s.index == static_cast<double>(position + 1))));
  }
  return 0;
}
