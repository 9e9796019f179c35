// See classify.hpp. Each function names its counterpart in src/backends/reference/classify.ts.
#include "classify.hpp"

#include <cfloat>
#include <cmath>

namespace kernelbus::classify {
namespace {

// tclf's np.isclose(p, q, atol=1e-4) (numpy's default rtol 1e-5 applies too), and its CLNV band.
constexpr double kCloseAtol = 1e-4;
constexpr double kCloseRtol = 1e-5;
constexpr double kBand = 0.3;

Status fault(Fault f, double index, double value, double previous) { return Status{f, index, value, previous}; }

bool quoteValid(double q) { return std::isnan(q) || (q >= 0 && q <= DBL_MAX); }

// checkQuotedTrades()
Status checkQuotedTrades(const double* ts, const double* price, const double* bid, const double* ask, size_t n) {
  double last = -HUGE_VAL;
  for (size_t i = 0; i < n; i++) {
    const double t = ts[i];
    if (!std::isfinite(t)) return fault(Fault::TsNotFinite, double(i), t, last);
    if (t < last) return fault(Fault::TsDecreasing, double(i), t, last);
    last = t;
    if (!std::isfinite(price[i])) return fault(Fault::PriceNotFinite, double(i), price[i], 0);
    if (!quoteValid(bid[i])) return fault(Fault::QuoteInvalid, double(i), bid[i], 0);
    if (!quoteValid(ask[i])) return fault(Fault::QuoteInvalid, double(i), ask[i], 1);
  }
  return Status{};
}

// tickSigns()
void tickSigns(const double* price, size_t n, int8_t* out) {
  double last = NAN;
  int sign = 0;
  for (size_t i = 0; i < n; i++) {
    const double p = price[i];
    const int change = (p > last) - (p < last);
    sign = change != 0 ? change : sign;
    out[i] = static_cast<int8_t>(sign);
    last = p;
  }
}

// reverseTickSigns()
void reverseTickSigns(const double* price, size_t n, int8_t* out) {
  double next = NAN;
  int sign = 0;
  for (size_t i = n; i-- > 0;) {
    const double p = price[i];
    const int change = (p > next) - (p < next);
    sign = change != 0 ? change : sign;
    out[i] = static_cast<int8_t>(sign);
    next = p;
  }
}

// midpoint()
double midpoint(double bid, double ask, int convention) {
  if (convention == kTclf && !(ask >= bid)) return NAN;
  return (bid + ask) / 2;
}

// quoteSign()
int quoteSign(double p, double m) { return (p > m) - (p < m); }

// isClose()
bool isClose(double p, double q) { return std::fabs(p - q) <= kCloseAtol + kCloseRtol * std::fabs(q); }

// quoteLabel()
int quoteLabel(int base, int convention, double p, double bid, double ask, int fallback) {
  const double m = midpoint(bid, ask, convention);
  switch (base) {
    case kQuote:
      return quoteSign(p, m);
    case kLeeReady: {
      // PINstimation keeps NA without a midpoint; tclf falls to the tick rule there too
      if (convention != kTclf && std::isnan(m)) return 0;
      const int q = quoteSign(p, m);
      return q != 0 ? q : fallback;
    }
    case kEmo:
      if (convention == kTclf) return isClose(p, ask) != isClose(p, bid) ? quoteSign(p, m) : fallback;
      return p == ask ? 1 : p == bid ? -1 : fallback;
    default: {
      const bool upper = (1 - kBand) * ask + kBand * bid <= p && p <= ask;
      const bool lower = bid <= p && p <= kBand * ask + (1 - kBand) * bid;
      return upper != lower ? quoteSign(p, m) : fallback;
    }
  }
}

// The quote-based labels over the fallback signs already in out[]; `Base` a compile-time constant so
// that each algorithm's loop has no switch inside.
template <int Base>
void quoteLabels(int convention, const double* price, const double* bid, const double* ask, size_t n, int8_t* out) {
  for (size_t i = 0; i < n; i++) out[i] = static_cast<int8_t>(quoteLabel(Base, convention, price[i], bid[i], ask[i], out[i]));
}

}  // namespace

Status unpack(Packed packed, Params& out) {
  ParamReader r(packed, kClassifyTradesParams);
  out.algorithm = static_cast<int>(r.integer(0, 8));
  out.convention = static_cast<int>(r.integer(0, 1));
  out.quoteLagMs = r.closed(0, 0);
  out.lagFrom = static_cast<int>(r.integer(0, 1));
  return r.status();
}

bool paramNames(std::string_view kernel, ParamNames& out) {
  if (kernel != "classifyTrades") return false;
  out = paramNamesOf(kClassifyTradesParams);
  return true;
}

// referenceClassifyTrades()
Status classifyTrades(const double* ts, const double* price, const double* bid, const double* ask, size_t n, const Params& params,
                      int8_t* out) {
  if (Status s = checkQuotedTrades(ts, price, bid, ask, n); !s.ok()) return s;
  const int algorithm = params.algorithm;
  const bool reverse = algorithm == kReverseTick || algorithm >= kReverseLeeReady;
  // the fallback signs first, then each trade's label over its own
  if (reverse) {
    reverseTickSigns(price, n, out);
  } else {
    tickSigns(price, n, out);
  }
  const int c = params.convention;
  switch (algorithm) {
    case kQuote:
      quoteLabels<kQuote>(c, price, bid, ask, n, out);
      break;
    case kLeeReady:
    case kReverseLeeReady:
      quoteLabels<kLeeReady>(c, price, bid, ask, n, out);
      break;
    case kEmo:
    case kReverseEmo:
      quoteLabels<kEmo>(c, price, bid, ask, n, out);
      break;
    case kClnv:
    case kReverseClnv:
      quoteLabels<kClnv>(c, price, bid, ask, n, out);
      break;
    default:  // kTick, kReverseTick: the signs
      break;
  }
  return Status{};
}

}  // namespace kernelbus::classify
