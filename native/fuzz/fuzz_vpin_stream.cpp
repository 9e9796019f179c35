// libFuzzer target of the VPIN stream (calls.hpp fuzz::Stream over vpin::VpinStream): update() over
// random batch splits, flush(), and exportState()/importState() of valid and of corrupted state
// vectors. Parameters as resolveVpinOptions(options, stream = true) accepts them (a causal sigma).
// Invariants: the batches give exactly (bit for bit) the buckets and the fault of one vpin() call over
// all the trades; a failed update() changes nothing; import(export(state)) round-trips exactly and the
// imported stream continues as the original; a corrupted state is refused with StateInvalid (the
// stream unchanged) or, once accepted, exports a state that imports again to the same vector.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "calls.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;
using kernelbus::fuzz::sameBits;

namespace {

fuzz::Stream roundTrip(const fuzz::Stream& stream, const vpin::Params& p) {
  const std::vector<double> state = stream.exportState();
  fuzz::Stream copy(p);
  require(copy.importState(state).ok());
  require(sameBits(copy.exportState(), state));
  return copy;
}

void corruptedState(fuzz::Input& in, const vpin::Params& p, std::vector<double> state) {
  for (int edits = in.in(1, 4); edits > 0; edits--) {
    const int kind = in.in(0, 3);
    if (kind == 0 && !state.empty()) state[in.in<size_t>(0, state.size() - 1)] = in.anyDouble();
    if (kind == 1 && !state.empty()) state[in.in<size_t>(0, std::min<size_t>(vpin::kStateHeader - 1, state.size() - 1))] = in.in(-1, 3);
    if (kind == 2) state.resize(in.in<size_t>(0, state.size() + 3), in.anyDouble());
    if (kind == 3) state.push_back(in.anyDouble());
  }
  fuzz::Stream stream(p);
  const std::vector<double> fresh = stream.exportState();
  const vpin::Status s = stream.importState(state);
  if (!s.ok()) {
    require(s.fault == vpin::Fault::StateInvalid && s.index <= static_cast<double>(state.size()));
    require(sameBits(stream.exportState(), fresh));
    return;
  }
  const std::vector<double> accepted = stream.exportState();
  fuzz::Stream again(p);
  require(again.importState(accepted).ok());
  require(sameBits(again.exportState(), accepted));

  // The accepted state must keep working (faults allowed, no crash, no hang): one batch and a flush.
  const fuzz::Trades t = in.trades(p.barMs, 256);
  const double openBar = accepted[0] == 1 && accepted[4] > 0 ? accepted[4] : 0;
  if (fuzz::bucketBudget(t.volume, p.bucketVolume, p.window, openBar) == fuzz::Budget::TooCostly) return;
  fuzz::Buckets out;
  if (stream.update(t.ts.data(), t.price.data(), t.volume.data(), t.size(), out).ok()) stream.flush(out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const vpin::Params p = in.vpinParams(true);
  const fuzz::Trades t = in.trades(p.barMs, 2048);
  const fuzz::Budget budget = fuzz::bucketBudget(t.volume, p.bucketVolume, p.window);
  if (budget == fuzz::Budget::TooCostly) return -1;  // not added to the corpus
  const size_t n = t.size();

  fuzz::Buckets whole;
  const vpin::Status sw = fuzz::vpin(t, p, whole);

  fuzz::Stream stream(p);
  fuzz::Buckets parts;
  vpin::Status ss;
  size_t at = 0;
  for (int round = 0; at < n || round == 0; round++) {
    const size_t len = round == 15 || in.remaining() == 0 ? n - at : in.count(n - at);
    const fuzz::Trades batch = t.slice(at, len);
    const std::vector<double> before = stream.exportState();
    ss = stream.update(batch.ts.data(), batch.price.data(), batch.volume.data(), len, parts);
    if (!ss.ok()) {
      require(sameBits(stream.exportState(), before));
      if (ss.fault != vpin::Fault::TooManyBuckets) ss.index += static_cast<double>(at);
      break;
    }
    at += len;
    if (in.flag()) stream = roundTrip(stream, p);
  }
  if (ss.ok()) {
    ss = stream.flush(parts);
    fuzz::Buckets none;
    if (ss.ok()) require(stream.flush(none).ok() && none.size() == 0);
  }

  if (sw.fault == vpin::Fault::TooManyBuckets || ss.fault == vpin::Fault::TooManyBuckets) {
    require(!sw.ok() && !ss.ok());  // the guard counts per commit: the two may fail at different points
  } else {
    require(sameBits(sw, ss));
  }
  if (ss.ok()) {
    require(budget != fuzz::Budget::GuardMustFire);
    require(sameBits(whole, parts));
    require(stream.bucketCount() == static_cast<double>(parts.size()));
    if (n > 0) fuzz::checkBuckets(parts, p, t.ts.front(), t.ts.back());
  }
  corruptedState(in, p, stream.exportState());
  return 0;
}
