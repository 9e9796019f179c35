// libFuzzer target of vpin (calls.hpp: VpinStream + vpin::prepareVpin + commit): arbitrary trades,
// parameters as resolveVpinOptions() accepts them, and (the input's last byte) the labels classifier
// (2) with arbitrary labels, one int8 per trade (their sign is read).
// Invariants: checkBuckets() (rows of one length, vpin in [0, 1], cdf in (0, 1]); a data fault inside
// the trades; TooManyBuckets whenever one commit would pour more than the kernel's guard allows; the
// same trades read in place at an unaligned byte offset (a frame as received) give the same status
// and the same bits; labels equal to the tick rule's signs give the tick classifier's bits.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "calls.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const vpin::Params p = in.vpinParams(false);
  const fuzz::Trades t = in.trades(p.barMs, 4096);
  const fuzz::Budget budget = fuzz::bucketBudget(t.volume, p.bucketVolume, p.window);
  if (budget == fuzz::Budget::TooCostly) return -1;  // not added to the corpus

  // the labels classifier: arbitrary labels, or the tick rule's signs (then the tick classifier's buckets)
  vpin::Params labelled = p;
  std::vector<int8_t> labels(t.size());
  const uint8_t mode = in.remaining() > 0 ? in.byte() : 0;
  if (mode >= 128) {
    labelled.classifier = 2;
    for (int8_t& label : labels) label = static_cast<int8_t>(in.byte());
  }
  const bool asTick = mode >= 192 && vpin::tickRule(t.price.data(), t.size(), labels.data()).ok();

  fuzz::Buckets out;
  const vpin::Status s = fuzz::vpin(t, labelled, out, mode >= 128 ? labels.data() : nullptr);
  fuzz::Buckets fromBytes;
  const vpin::Status sb = fuzz::vpinFromBytes(t, labelled, 1 + size % 7, fromBytes, mode >= 128 ? labels.data() : nullptr);
  require(fuzz::sameBits(s, sb) && fuzz::sameBits(out, fromBytes));
  if (asTick) {
    vpin::Params tick = p;
    tick.classifier = 1;
    fuzz::Buckets byTick;
    require(fuzz::sameBits(fuzz::vpin(t, tick, byTick), s) && fuzz::sameBits(byTick, out));
  }

  using F = vpin::Fault;
  if (!s.ok()) {
    require(fuzz::faultIsOneOf(
        s, t.size(), {F::TsNotFinite, F::TsDecreasing, F::TsBarOutOfRange, F::PriceNotFinite, F::VolumeInvalid, F::TooManyBuckets}));
    return 0;
  }
  require(budget != fuzz::Budget::GuardMustFire);
  if (t.size() > 0) fuzz::checkBuckets(out, labelled, t.ts.front(), t.ts.back());
  require(out.size() == 0 || t.size() > 0);
  return 0;
}
