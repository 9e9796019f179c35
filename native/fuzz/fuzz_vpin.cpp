// libFuzzer target of vpin (calls.hpp: VpinStream + vpin::prepareVpin + commit): arbitrary trades,
// parameters as resolveVpinOptions() accepts them.
// Invariants: checkBuckets() (rows of one length, vpin in [0, 1], cdf in (0, 1]); a data fault inside
// the trades; TooManyBuckets whenever one commit would pour more than the kernel's guard allows; the
// same trades read in place at an unaligned byte offset (a frame as received) give the same status
// and the same bits.
#include <cstddef>
#include <cstdint>

#include "calls.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const vpin::Params p = in.vpinParams(false);
  const fuzz::Trades t = in.trades(p.barMs, 4096);
  const fuzz::Budget budget = fuzz::bucketBudget(t.volume, p.bucketVolume, p.window);
  if (budget == fuzz::Budget::TooCostly) return -1;  // not added to the corpus

  fuzz::Buckets out;
  const vpin::Status s = fuzz::vpin(t, p, out);
  fuzz::Buckets fromBytes;
  const vpin::Status sb = fuzz::vpinFromBytes(t, p, 1 + size % 7, fromBytes);
  require(fuzz::sameBits(s, sb) && fuzz::sameBits(out, fromBytes));

  using F = vpin::Fault;
  if (!s.ok()) {
    require(fuzz::faultIsOneOf(
        s, t.size(), {F::TsNotFinite, F::TsDecreasing, F::TsBarOutOfRange, F::PriceNotFinite, F::VolumeInvalid, F::TooManyBuckets}));
    return 0;
  }
  require(budget != fuzz::Budget::GuardMustFire);
  if (t.size() > 0) fuzz::checkBuckets(out, p, t.ts.front(), t.ts.back());
  require(out.size() == 0 || t.size() > 0);
  return 0;
}
