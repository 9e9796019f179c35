// libFuzzer target of classify::classifyTrades() and classifyQuotes() (and unpack()): trades with a
// quote at each, at every position against the price (spread, at the bid or ask, crossed, locked,
// missing, arbitrary), or a quote stream built from them (shifted in time, sometimes unsorted or bad),
// under a lag from the quotes or from the trades. Invariants: a fault exactly at the first bad quote of a
// stream, else at the first bad trade (ts, then price, bid, ask); otherwise every label in {-1, 0, 1};
// 'tick' equal to vpin::tickRule, 'reverse-tick' to tickRule over the reversed tape; each quote-based
// label the rule's definition over those signs and the quote the lag rule picks, found here by a binary
// search per trade (the kernel merges); unpack() accepts exactly the parameters CLASSIFY_TRADES_PARAMS
// allows.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "calls.hpp"
#include "vpin/classify.hpp"

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

// The row of the quote a trade at t meets under `lag` (-1: none), by a binary search over keys[m]: the
// last row with key <= t - lag, or (firstAfter) the first row with key > t - lag, none before keys[0].
long quoteRow(const double* keys, size_t m, double t, double lag, bool firstAfter) {
  const double threshold = t - lag;
  const auto count = static_cast<size_t>(std::upper_bound(keys, keys + m, threshold) - keys);
  if (firstAfter) return m == 0 || !(threshold >= keys[0]) || count >= m ? -1 : static_cast<long>(count);
  return count == 0 ? -1 : static_cast<long>(count) - 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  // the packed parameters: mostly valid, sometimes arbitrary (unpack must accept exactly the valid ones)
  const int lagKind = in.in<int>(0, 3);
  const double lag = lagKind == 0 ? 0 : lagKind == 1 ? in.in<int>(1, 20) : in.real(0, 1000);
  double packed[4] = {double(in.in<int>(0, 8)), double(in.in<int>(0, 1)), lag, double(in.in<int>(0, 1))};
  if (in.byte() < 16) packed[in.in<int>(0, 3)] = in.anyDouble();
  classify::Params p;
  const size_t count = in.byte() < 8 ? 3 : 4;
  const Status u = classify::unpack(Packed{packed, count}, p);
  const bool valid = packed[0] >= 0 && packed[0] <= 8 && std::floor(packed[0]) == packed[0] && (packed[1] == 0 || packed[1] == 1) &&
                     packed[2] >= 0 && std::isfinite(packed[2]) && (packed[3] == 0 || packed[3] == 1);
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
  // a quote stream from the trades' quotes, about two a trade, shifted in time (some bad)
  const bool stream = in.byte() < 96 && p.lagFrom == classify::kLagFromQuotes;
  std::vector<double> qts, qbid, qask;
  if (stream) {
    for (size_t i = 0; i < n && qts.size() < 4096; i++) {
      for (int k = in.in<int>(0, 2); k > 0; k--) {
        qts.push_back(t.ts[i] - in.in<int>(-2, 5));
        qbid.push_back(bid[i]);
        qask.push_back(ask[i]);
      }
    }
    if (in.byte() < 200) std::sort(qts.begin(), qts.end());  // else maybe unsorted: a fault
  }
  const size_t m = qts.size();
  std::vector<int8_t> out(n, 42);
  const Status s = stream ? classify::classifyQuotes(t.ts.data(), t.price.data(), n, qts.data(), qbid.data(), qask.data(), m, p, out.data())
                          : classify::classifyTrades(t.ts.data(), t.price.data(), bid.data(), ask.data(), n, p, out.data());

  if (stream) {  // the stream's faults first, in quote order
    double lastQ = -HUGE_VAL;
    for (size_t j = 0; j < m; j++) {
      const Fault f = !(std::isfinite(qts[j]) && qts[j] >= lastQ) ? Fault::QuoteTsInvalid
                      : !quoteOk(qbid[j]) || !quoteOk(qask[j])    ? Fault::QuoteInvalid
                                                                  : Fault::None;
      if (f != Fault::None) {
        require(!s.ok() && s.fault == f && s.index == static_cast<double>(j));
        if (f == Fault::QuoteInvalid) require(s.previous == (quoteOk(qbid[j]) ? 3 : 2));
        return 0;
      }
      lastQ = qts[j];
    }
  }
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
    else if (!stream && (!quoteOk(bid[bad]) || !quoteOk(ask[bad])))
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
      continue;
    }
    // the quote the lag rule picks: the stream's, or the trades' own (their own row at lag 0)
    const long row = stream              ? quoteRow(qts.data(), m, t.ts[i], p.quoteLagMs, false)
                     : p.quoteLagMs == 0 ? static_cast<long>(i)
                                         : quoteRow(t.ts.data(), n, t.ts[i], p.quoteLagMs, p.lagFrom == classify::kLagFromTrades);
    const double b = row < 0 ? NAN : stream ? qbid[row] : bid[row];
    const double a = row < 0 ? NAN : stream ? qask[row] : ask[row];
    require(out[i] == expectedLabel(p.algorithm, p.convention, t.price[i], b, a, f));
  }
  return 0;
}
