// The VPIN family's packed parameters checked and unpacked (vpin.hpp: unpackParams(),
// unpackClassifyParams()): the rules of resolveVpinOptions / resolveClassifyOptions in src/kernels/vpin.ts.
#include <cmath>

#include "vpin.hpp"
#include "vpin_steps.hpp"

namespace kernelbus::vpin {

// Parameters (resolveVpinOptions / resolveClassify in src/kernels/vpin.ts)

namespace {

bool isIntegerIn(double x, double lo, double hi) { return std::floor(x) == x && x >= lo && x <= hi; }

// The classification values packed[0..4] (priceChange, sigmaKind, sigmaParam, distribution, nu);
// `at` is the position of packed[0] in kParamNames.
Status checkClassify(const double* c, size_t at, Params& out) {
  for (size_t i = 0; i < kClassifyParamCount; i++) {
    if (!isFiniteNumber(c[i])) return fault(Fault::ParamInvalid, double(at + i), c[i]);
  }
  if (!isIntegerIn(c[0], 0, 1)) return fault(Fault::ParamInvalid, double(at), c[0]);
  if (!isIntegerIn(c[1], 0, 3)) return fault(Fault::ParamInvalid, double(at + 1), c[1]);
  const int kind = static_cast<int>(c[1]);
  const double param = c[2];
  const bool paramOk = kind == kSigmaFixed     ? param > 0
                       : kind == kSigmaRolling ? isIntegerIn(param, 2, 1e6)
                       : kind == kSigmaEwma    ? param >= 0 && param < 1
                                               : true;
  if (!paramOk) return fault(Fault::ParamInvalid, double(at + 2), param);
  if (!isIntegerIn(c[3], 0, 1)) return fault(Fault::ParamInvalid, double(at + 3), c[3]);
  if (c[3] == 1 && !(c[4] > 0)) return fault(Fault::ParamInvalid, double(at + 4), c[4]);
  out.priceChange = static_cast<int>(c[0]);
  out.sigmaKind = kind;
  out.sigmaParam = param;
  out.distribution = static_cast<int>(c[3]);
  out.nu = c[4];
  return Status{};
}

}  // namespace

Status unpackClassifyParams(const double* packed, size_t n, Params& out) {
  if (n != kClassifyParamCount) return fault(Fault::ParamInvalid, double(kParamCount), double(n));
  return checkClassify(packed, kClassifyOffset, out);
}

Status unpackParams(const double* packed, size_t n, Params& out) {
  if (n != kParamCount) return fault(Fault::ParamInvalid, double(kParamCount), double(n));
  for (size_t i = 0; i < kClassifyOffset; i++) {
    if (!isFiniteNumber(packed[i])) return fault(Fault::ParamInvalid, double(i), packed[i]);
  }
  if (!(packed[0] > 0)) return fault(Fault::ParamInvalid, 0, packed[0]);
  if (!isIntegerIn(packed[1], 1, 1e6)) return fault(Fault::ParamInvalid, 1, packed[1]);
  if (!(packed[2] > 0)) return fault(Fault::ParamInvalid, 2, packed[2]);
  if (!isIntegerIn(packed[3], 0, 2)) return fault(Fault::ParamInvalid, 3, packed[3]);
  if (!isIntegerIn(packed[4], 0, 1e9)) return fault(Fault::ParamInvalid, 4, packed[4]);
  out.bucketVolume = packed[0];
  out.window = static_cast<int64_t>(packed[1]);
  out.barMs = packed[2];
  out.classifier = static_cast<int>(packed[3]);
  out.cdfWindow = static_cast<int64_t>(packed[4]);
  return checkClassify(packed + kClassifyOffset, kClassifyOffset, out);
}

}  // namespace kernelbus::vpin
