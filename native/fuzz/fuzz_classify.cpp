// libFuzzer target of classify::classifyTrades() (and its unpack()): trades with a quote at each, at
// every position against the price (spread, at the bid or ask, crossed, locked, missing, arbitrary).
// Invariants: a fault exactly at the first bad trade (ts, then price, bid, ask); otherwise every label in
// {-1, 0, 1}; 'tick' equal to vpin::tickRule, 'reverse-tick' to tickRule over the reversed tape; each
// quote-based label the rule's definition over those signs (written here again, from the JSDoc of
// VpinKernels.classifyTrades); unpack() accepts exactly the parameters CLASSIFY_TRADES_PARAMS allows.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "calls.hpp"
#include "classify.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

int sign(double x) { return (x > 0) - (x < 0); }

// The label from the definitions, given the fallback sign f.
int expectedLabel(int algorithm, int convention, double p, double b, double a, int f) {
  const bool tclf = convention == classify::kTclf;
  const bool haveMid = tclf ? a >= b : !std::isnan(a + b);
  const double m = (b + a) / 2;
  const int q = haveMid ? sign(p - m) : 0;
  switch (algorithm) {
    case classify::kQuote:
      return q;
    case classify::kLeeReady:
    case classify::kReverseLeeReady:
      if (!haveMid) return tclf ? f : 0;
      return p == m ? f : q;
    case classify::kEmo:
    case classify::kReverseEmo:
      if (tclf) {
        const bool atAsk = std::fabs(p - a) <= 1e-4 + 1e-5 * std::fabs(a);
        const bool atBid = std::fabs(p - b) <= 1e-4 + 1e-5 * std::fabs(b);
        return atAsk != atBid ? q : f;
      }
      return p == a ? 1 : p == b ? -1 : f;
    default: {
      const bool upper = 0.7 * a + 0.3 * b <= p && p <= a;
      const bool lower = b <= p && p <= 0.3 * a + 0.7 * b;
      return upper != lower ? (std::isnan(m) || (tclf && !(a >= b)) ? 0 : sign(p - m)) : f;
    }
  }
}

bool quoteOk(double x) { return std::isnan(x) || (x >= 0 && std::isfinite(x)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  // the packed parameters: mostly valid, sometimes arbitrary (unpack must accept exactly the valid ones)
  double packed[4] = {double(in.in<int>(0, 8)), double(in.in<int>(0, 1)), 0, double(in.in<int>(0, 1))};
  if (in.byte() < 16) packed[in.in<int>(0, 3)] = in.anyDouble();
  classify::Params p;
  const size_t count = in.byte() < 8 ? 3 : 4;
  const Status u = classify::unpack(Packed{packed, count}, p);
  const bool valid = packed[0] >= 0 && packed[0] <= 8 && std::floor(packed[0]) == packed[0] && (packed[1] == 0 || packed[1] == 1) &&
                     packed[2] == 0 && (packed[3] == 0 || packed[3] == 1);
  if (!u.ok()) {
    require(u.fault == Fault::ParamInvalid && (count != 4 || !valid));
    return 0;
  }
  require(count == 4 && valid);

  const fuzz::Trades t = in.trades(60000, 2048);
  const size_t n = t.size();
  std::vector<double> bid(n), ask(n);
  for (size_t i = 0; i < n; i++) {
    const double price = t.price[i];
    const double s = in.in<int>(0, 8) / 100.0;
    switch (in.in<int>(0, 9)) {
      case 0:
        bid[i] = price - s, ask[i] = price + s;
        break;
      case 1:
        bid[i] = price, ask[i] = price + s;
        break;
      case 2:
        bid[i] = price - s, ask[i] = price;
        break;
      case 3:
        bid[i] = price + s, ask[i] = price - s;
        break;
      case 4:
        bid[i] = ask[i] = price;
        break;
      case 5:
        bid[i] = ask[i] = NAN;
        break;
      case 6:
        bid[i] = price, ask[i] = NAN;
        break;
      case 7:
        bid[i] = price - 5e-5, ask[i] = price + s;
        break;
      case 8:
        bid[i] = price - 0.3 * s, ask[i] = price + 0.7 * s;
        break;
      default:
        bid[i] = in.anyDouble(), ask[i] = in.anyDouble();
        break;
    }
  }
  std::vector<int8_t> out(n, 42);
  const Status s = classify::classifyTrades(t.ts.data(), t.price.data(), bid.data(), ask.data(), n, p, out.data());

  size_t bad = 0;
  double last = -HUGE_VAL;
  Fault expected = Fault::None;
  for (; bad < n; bad++) {
    const double ts = t.ts[bad];
    if (!std::isfinite(ts))
      expected = Fault::TsNotFinite;
    else if (ts < last)
      expected = Fault::TsDecreasing;
    else if (!std::isfinite(t.price[bad]))
      expected = Fault::PriceNotFinite;
    else if (!quoteOk(bid[bad]) || !quoteOk(ask[bad]))
      expected = Fault::QuoteInvalid;
    if (expected != Fault::None) break;
    last = ts;
  }
  if (!s.ok()) {
    require(s.fault == expected && s.index == static_cast<double>(bad));
    if (expected == Fault::QuoteInvalid) require(s.previous == (quoteOk(bid[bad]) ? 1 : 0));
    return 0;
  }
  require(expected == Fault::None);

  std::vector<int8_t> tick(n), reverse(n);
  require(vpin::tickRule(t.price.data(), n, tick.data()).ok());
  std::vector<double> reversed(t.price.rbegin(), t.price.rend());
  require(vpin::tickRule(reversed.data(), n, reverse.data()).ok());
  const bool backward = p.algorithm == classify::kReverseTick || p.algorithm >= classify::kReverseLeeReady;
  for (size_t i = 0; i < n; i++) {
    require(out[i] == -1 || out[i] == 0 || out[i] == 1);
    const int f = backward ? reverse[n - 1 - i] : tick[i];
    if (p.algorithm == classify::kTick || p.algorithm == classify::kReverseTick) {
      require(out[i] == f);
    } else {
      require(out[i] == expectedLabel(p.algorithm, p.convention, t.price[i], bid[i], ask[i], f));
    }
  }
  return 0;
}
