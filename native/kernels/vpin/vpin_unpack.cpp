// The VPIN family's packed parameters checked and unpacked (vpin.hpp: unpackParams(),
// unpackClassifyParams()): the generated unpack() of each table (generated/vpin.hpp, from VPIN_PARAMS
// and CLASSIFY_PARAMS' rules in src/kernels/vpin/vpin.ts), its values copied into Params.
#include <cstdint>

#include "generated/vpin.hpp"
#include "vpin.hpp"

namespace kernelbus::vpin {

namespace {

/// The classification values of `v` (VpinParams or BulkClassifyParams) into `out`.
template <typename V>
void classifyInto(const V& v, Params& out) {
  out.priceChange = v.priceChange;
  out.sigmaKind = v.sigmaKind;
  out.sigmaParam = v.sigmaParam;
  out.distribution = v.distribution;
  out.nu = v.nu;
}

}  // namespace

Status unpackClassifyParams(const double* packed, size_t n, Params& out) {
  BulkClassifyParams v;
  if (Status s = unpack(Packed{packed, n}, v); !s.ok()) return s;
  classifyInto(v, out);
  return Status{};
}

Status unpackParams(const double* packed, size_t n, Params& out) {
  VpinParams v;
  if (Status s = unpack(Packed{packed, n}, v); !s.ok()) return s;
  out.bucketVolume = v.bucketVolume;
  out.window = static_cast<int64_t>(v.window);
  out.barMs = v.barMs;
  out.classifier = v.classifier;
  out.cdfWindow = static_cast<int64_t>(v.cdfWindow);
  classifyInto(v, out);
  return Status{};
}

}  // namespace kernelbus::vpin
