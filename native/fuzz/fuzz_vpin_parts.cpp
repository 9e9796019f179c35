// libFuzzer target of aggregateInParts() (vpin_parts.cpp): VPIN's trades into bars in parts on the
// kernels' threads, against aggregate() in one pass over the same trades from the same state. The
// kernels run the parts from 2^19 trades; here the limits are lowered (parts from 2 to 64 trades, a bar
// per 0.25 to 8 trades by the span, the tick rule's carry looked for 1 to 64 trades back) and the
// threads set to 2 to 4, so that short tapes reach every branch: cuts kept and dropped, faults in any
// part, a state carried in from an earlier batch. Classifiers: none (BVC's bars), the tick rule, labels.
// Invariants: where the parts ran, the status of one pass, bit for bit; without a fault the same bars
// (their buy volumes where the tick rule or the labels write them) and the same state after; with one,
// the state as it was.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "input.hpp"
#include "invariants.hpp"
#include "parallel.hpp"
#include "vpin/vpin_steps.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;
using kernelbus::fuzz::sameBits;

namespace {

bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// Bars equal bit for bit; their buy volumes only where `buy` (BVC's are left unwritten).
bool sameBar(const vpin::Bar& a, const vpin::Bar& b, bool buy) {
  return same(a.index, b.index) && same(a.open, b.open) && same(a.close, b.close) && same(a.volume, b.volume) && same(a.count, b.count) &&
         same(a.lastTs, b.lastTs) && same(a.firstTs, b.firstTs) && (!buy || same(a.buy, b.buy));
}

bool sameState(const vpin::TradeState& a, const vpin::TradeState& b, bool buy) {
  return a.hasBar == b.hasBar && (!a.hasBar || sameBar(a.bar, b.bar, buy)) && same(a.lastTs, b.lastTs) &&
         same(a.closedBarIndex, b.closedBarIndex) && same(a.lastPrice, b.lastPrice) && same(a.lastSign, b.lastSign);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const double barMs = in.flag() ? 60000 : in.positiveFinite();
  const int classifier = in.in(0, 2);  // 0: none (BVC), 1: the tick rule, 2: labels
  const bool tick = classifier == 1;
  vpin::PartsLimits limits;
  limits.from = in.in<size_t>(2, 64);
  limits.tradesPerBar = in.real(0.25, 8);
  limits.carryScan = in.in<size_t>(1, 64);
  setThreadCount(in.in<size_t>(2, 4));
  const fuzz::Trades t = in.trades(barMs, 2048);
  const size_t n = t.size();
  std::vector<int8_t> labels;
  if (classifier == 2) {
    labels.reserve(n);
    for (size_t i = 0; i < n; i++) labels.push_back(in.flag() ? static_cast<int8_t>(in.in(-1, 1)) : static_cast<int8_t>(in.byte()));
  }
  const int8_t* lab = classifier == 2 ? labels.data() : nullptr;

  // the state an earlier batch left (its first trades, in one pass; a fault there ends the input)
  const size_t head = in.count(n);
  vpin::TradeState start;
  vpin::Bars before;
  if (!vpin::aggregate(start, barMs, tick, t.ts.data(), t.price.data(), t.volume.data(), head, before, lab).ok()) return 0;

  const size_t rest = n - head;
  const double* ts = t.ts.data() + head;
  const double* price = t.price.data() + head;
  const double* volume = t.volume.data() + head;
  const int8_t* restLabels = lab ? lab + head : nullptr;
  vpin::TradeState one = start, parts = start;
  vpin::Bars oneBars, partBars;
  const vpin::Status whole = vpin::aggregate(one, barMs, tick, ts, price, volume, rest, oneBars, restLabels);
  vpin::Status status;
  if (!vpin::aggregateInParts(parts, barMs, tick, ts, price, volume, rest, partBars, restLabels, status, limits)) {
    require(partBars.empty() && sameState(parts, start, true));  // nothing done
    return 0;
  }
  require(sameBits(status, whole));
  if (!status.ok()) {
    require(sameState(parts, start, true));
    return 0;
  }
  const bool buy = classifier != 0;
  require(partBars.size() == oneBars.size());
  for (size_t i = 0; i < oneBars.size(); i++) require(sameBar(partBars[i], oneBars[i], buy));
  require(sameState(parts, one, buy));
  return 0;
}
