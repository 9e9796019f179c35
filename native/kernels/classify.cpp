// See classify.hpp. Each function names its counterpart in src/backends/reference/classify.ts.
#include "classify.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "simd.hpp"
#include "tick.hpp"

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

// quoteSign()
inline int quoteSign(double p, double m) { return (p > m) - (p < m); }

// isClose()
inline bool isClose(double p, double q) { return std::fabs(p - q) <= kCloseAtol + kCloseRtol * std::fabs(q); }

// quoteLabel(), with the algorithm and the convention compile-time constants (each loop below is one
// algorithm's, without a switch inside, and vectorizes: comparisons and selects only).
template <int Base, int Convention>
inline int quoteLabel(double p, double bid, double ask, int fallback) {
  const double m = Convention == kTclf && !(ask >= bid) ? NAN : (bid + ask) / 2;  // midpoint()
  const int q = quoteSign(p, m);
  if constexpr (Base == kQuote) {
    return q;
  } else if constexpr (Base == kLeeReady) {
    // PINstimation keeps NA without a midpoint; tclf falls to the tick rule there too
    if constexpr (Convention != kTclf) {
      return m != m ? 0 : q != 0 ? q : fallback;
    } else {
      return q != 0 ? q : fallback;
    }
  } else if constexpr (Base == kEmo) {
    if constexpr (Convention == kTclf) {
      return isClose(p, ask) != isClose(p, bid) ? q : fallback;
    } else {
      return p == ask ? 1 : p == bid ? -1 : fallback;
    }
  } else {
    const bool upper = (1 - kBand) * ask + kBand * bid <= p && p <= ask;
    const bool lower = bid <= p && p <= kBand * ask + (1 - kBand) * bid;
    return upper != lower ? q : fallback;
  }
}

template <int Base, int Convention>
#if defined(__GNUC__)
__attribute__((always_inline))  // into the target clones of labels()
#endif
inline void
labelLoop(const double* price, const double* bid, const double* ask, size_t n, int8_t* out) {
  for (size_t i = 0; i < n; i++) out[i] = static_cast<int8_t>(quoteLabel<Base, Convention>(price[i], bid[i], ask[i], out[i]));
}

// The quote-based labels over the fallback signs already in out[n].
KERNELBUS_VECTOR_CLONES
void labels(int base, int convention, const double* price, const double* bid, const double* ask, size_t n, int8_t* out) {
  const bool tclf = convention == kTclf;
  switch (base) {
    case kQuote:
      return tclf ? labelLoop<kQuote, kTclf>(price, bid, ask, n, out) : labelLoop<kQuote, kPinstimation>(price, bid, ask, n, out);
    case kLeeReady:
      return tclf ? labelLoop<kLeeReady, kTclf>(price, bid, ask, n, out) : labelLoop<kLeeReady, kPinstimation>(price, bid, ask, n, out);
    case kEmo:
      return tclf ? labelLoop<kEmo, kTclf>(price, bid, ask, n, out) : labelLoop<kEmo, kPinstimation>(price, bid, ask, n, out);
    case kClnv:
      return tclf ? labelLoop<kClnv, kTclf>(price, bid, ask, n, out) : labelLoop<kClnv, kPinstimation>(price, bid, ask, n, out);
    default:  // the tick rules: the signs
      return;
  }
}

// True when the n trades are valid after a trade at `last` (checkQuotedTrades() finds the fault): one
// pass that vectorizes.
KERNELBUS_VECTOR_CLONES
bool valid(const double* ts, const double* price, const double* bid, const double* ask, size_t n, double last) {
  auto ok = [&](size_t i, double before) {
    const double b = bid[i], a = ask[i];
    return (ts[i] >= before) & (std::fabs(ts[i]) <= DBL_MAX) & (std::fabs(price[i]) <= DBL_MAX) & (((b >= 0) & (b <= DBL_MAX)) | (b != b)) &
           (((a >= 0) & (a <= DBL_MAX)) | (a != a));
  };
  if (n == 0) return true;
  long long bad = !ok(0, last);  // 64-bit, as the doubles: the loop vectorizes
  for (size_t i = 1; i < n; i++) bad |= !ok(i, ts[i - 1]);
  return bad == 0;
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

// referenceClassifyTrades(): checks, then the fallback signs, then each trade's label over its own.
//
// The forward algorithms do the three in one pass, kChunk trades at a time while they are in cache, over
// parts of the tape on the threads (parallelFor): a part starts from the price before it with no carried
// sign, so its first trades up to its first price change (`lead`) may have taken a fallback of 0; once
// every part is done, those few trades are labelled again, part after part, with the sign carried from
// the parts before. The labels are the same whatever the parts. A fault is found after the parts are
// written: the output is unspecified on a fault, and the first fault in trade order is reported.
Status classifyTrades(const double* ts, const double* price, const double* bid, const double* ask, size_t n, const Params& params,
                      int8_t* out) {
  const int algorithm = params.algorithm;
  const int base = algorithm >= kReverseLeeReady ? algorithm - kReverseLeeReady + kLeeReady : algorithm;
  const int convention = params.convention;
  if (algorithm == kReverseTick || algorithm >= kReverseLeeReady) {
    if (!valid(ts, price, bid, ask, n, -HUGE_VAL)) return checkQuotedTrades(ts, price, bid, ask, n);
    reverseTickSigns(price, n, out);
    labels(base, convention, price, bid, ask, n, out);
    return Status{};
  }
  constexpr size_t kChunk = 1024;
  constexpr size_t kPartMin = size_t{1} << 18;  // trades a part, at least
  struct Part {
    bool valid = true;
    size_t lead = 0;  // trades before the part's first change (all of them when none)
    int sign = 0;     // the sign after the part, from its own changes (0 when none)
  };
  const size_t parts = std::max<size_t>(1, std::min<size_t>(64, n / kPartMin));
  std::vector<Part> done(parts);
  parallelFor(parts, 1, [&](size_t first, size_t last) {
    for (size_t k = first; k < last; k++) {
      const size_t begin = n * k / parts, end = n * (k + 1) / parts;
      Part& part = done[k];
      tick::Carry carry{begin > 0 ? price[begin - 1] : NAN, 0};
      for (size_t from = begin; from < end; from += kChunk) {
        const size_t len = std::min(kChunk, end - from);
        if (!valid(ts + from, price + from, bid + from, ask + from, len, from > 0 ? ts[from - 1] : -HUGE_VAL)) {
          part.valid = false;
          return;
        }
        tick::signs(Doubles(price + from), len, carry, out + from);
        if (part.lead == from - begin) {
          while (part.lead < end - begin && part.lead < from + len - begin && out[begin + part.lead] == 0) part.lead++;
        }
        labels(base, convention, price + from, bid + from, ask + from, len, out + from);
      }
      part.sign = carry.sign;
    }
  });
  for (const Part& part : done) {
    if (!part.valid) return checkQuotedTrades(ts, price, bid, ask, n);
  }
  int sign = done[0].sign;
  for (size_t k = 1; k < parts; k++) {
    const size_t begin = n * k / parts, end = n * (k + 1) / parts;
    const size_t lead = done[k].lead;
    if (sign != 0 && lead > 0) {
      for (size_t i = begin; i < begin + lead; i++) out[i] = static_cast<int8_t>(sign);
      labels(base, convention, price + begin, bid + begin, ask + begin, lead, out + begin);
    }
    if (lead < end - begin) sign = done[k].sign;
  }
  return Status{};
}

}  // namespace kernelbus::classify
