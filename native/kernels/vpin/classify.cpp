// See classify.hpp. Each function names its counterpart in src/backends/reference/vpin/classify.ts.
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

// checkTrades(): the trades' times and prices (their quotes come from a stream)
Status checkTrades(const double* ts, const double* price, size_t n) {
  double last = -HUGE_VAL;
  for (size_t i = 0; i < n; i++) {
    const double t = ts[i];
    if (!std::isfinite(t)) return fault(Fault::TsNotFinite, double(i), t, last);
    if (t < last) return fault(Fault::TsDecreasing, double(i), t, last);
    last = t;
    if (!std::isfinite(price[i])) return fault(Fault::PriceNotFinite, double(i), price[i], 0);
  }
  return Status{};
}

// checkQuoteStream()
Status checkQuoteStream(const double* ts, const double* bid, const double* ask, size_t m) {
  double last = -HUGE_VAL;
  for (size_t j = 0; j < m; j++) {
    if (!(std::isfinite(ts[j]) && ts[j] >= last)) return fault(Fault::QuoteTsInvalid, double(j), ts[j], last);
    last = ts[j];
    if (!quoteValid(bid[j])) return fault(Fault::QuoteInvalid, double(j), bid[j], 2);
    if (!quoteValid(ask[j])) return fault(Fault::QuoteInvalid, double(j), ask[j], 3);
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

// Whether trade i (after a trade at `before`) is valid: checkQuotedTrades()'s conditions, as selects.
inline bool tradeOk(const double* ts, const double* price, const double* bid, const double* ask, size_t i, double before) {
  const double b = bid[i], a = ask[i];
  return (ts[i] >= before) & (std::fabs(ts[i]) <= DBL_MAX) & (std::fabs(price[i]) <= DBL_MAX) & (((b >= 0) & (b <= DBL_MAX)) | (b != b)) &
         (((a >= 0) & (a <= DBL_MAX)) | (a != a));
}

// True when the n trades are valid after a trade at `last` (checkQuotedTrades() finds the fault): one
// pass that vectorizes.
KERNELBUS_VECTOR_BODY
bool valid(const double* ts, const double* price, const double* bid, const double* ask, size_t n, double last) {
  if (n == 0) return true;
  long long bad = !tradeOk(ts, price, bid, ask, 0, last);  // 64-bit, as the doubles: the loop vectorizes
  for (size_t i = 1; i < n; i++) bad |= !tradeOk(ts, price, bid, ask, i, ts[i - 1]);
  return bad == 0;
}

// The quote-based labels of n trades over the fallback signs already in out[n]; with Check, valid()
// of the same trades in the same pass (the trades' own quotes: their columns read once), its result
// returned (true without).
template <bool Check, int Base, int Convention>
#if defined(__GNUC__)
__attribute__((always_inline))  // into each copy of labels() (simd::run)
#endif
inline bool
labelLoop(const double* ts, const double* price, const double* bid, const double* ask, size_t n, double last, int8_t* out) {
  long long bad = 0;  // 64-bit, as the doubles: the loop vectorizes
  for (size_t i = 0; i < n; i++) {
    if constexpr (Check) bad |= !tradeOk(ts, price, bid, ask, i, i == 0 ? last : ts[i - 1]);
    out[i] = static_cast<int8_t>(quoteLabel<Base, Convention>(price[i], bid[i], ask[i], out[i]));
  }
  return bad == 0;
}

// labelLoop() of the algorithm and convention; the tick rules keep their signs (and, with Check, are
// only checked).
template <bool Check>
KERNELBUS_VECTOR_BODY bool labels(int base, int convention, const double* ts, const double* price, const double* bid, const double* ask,
                                  size_t n, double last, int8_t* out) {
  const bool tclf = convention == kTclf;
  switch (base) {
    case kQuote:
      return tclf ? labelLoop<Check, kQuote, kTclf>(ts, price, bid, ask, n, last, out)
                  : labelLoop<Check, kQuote, kPinstimation>(ts, price, bid, ask, n, last, out);
    case kLeeReady:
      return tclf ? labelLoop<Check, kLeeReady, kTclf>(ts, price, bid, ask, n, last, out)
                  : labelLoop<Check, kLeeReady, kPinstimation>(ts, price, bid, ask, n, last, out);
    case kEmo:
      return tclf ? labelLoop<Check, kEmo, kTclf>(ts, price, bid, ask, n, last, out)
                  : labelLoop<Check, kEmo, kPinstimation>(ts, price, bid, ask, n, last, out);
    case kClnv:
      return tclf ? labelLoop<Check, kClnv, kTclf>(ts, price, bid, ask, n, last, out)
                  : labelLoop<Check, kClnv, kPinstimation>(ts, price, bid, ask, n, last, out);
    default:
      if constexpr (Check) return valid(ts, price, bid, ask, n, last);
      return true;
  }
}

// True when quote rows [from, to) of a stream are valid, the first after the row before it
// (checkQuoteStream() finds the fault): one pass that vectorizes.
KERNELBUS_VECTOR_BODY
bool validStream(const double* ts, const double* bid, const double* ask, size_t from, size_t to) {
  long long bad = 0;
  for (size_t j = from; j < to; j++) {
    const double b = bid[j], a = ask[j];
    bad |= !((std::fabs(ts[j]) <= DBL_MAX) & (((b >= 0) & (b <= DBL_MAX)) | (b != b)) & (((a >= 0) & (a <= DBL_MAX)) | (a != a)));
  }
  for (size_t j = std::max<size_t>(from, 1); j < to; j++) bad |= !(ts[j] >= ts[j - 1]);
  return bad == 0;
}

// True when n trades' times and prices are valid after a trade at `last` (checkTrades() finds the fault).
KERNELBUS_VECTOR_BODY
bool validTrades(const double* ts, const double* price, size_t n, double last) {
  if (n == 0) return true;
  long long bad = !(ts[0] >= last);
  for (size_t i = 0; i < n; i++) bad |= !((std::fabs(ts[i]) <= DBL_MAX) & (std::fabs(price[i]) <= DBL_MAX));
  for (size_t i = 1; i < n; i++) bad |= !(ts[i] >= ts[i - 1]);
  return bad == 0;
}

// For 8 trades in time order (ts[0..8), shifted back by `shift`), the number of the 32 sorted keys
// k[0..32) at or before each one's time, into count[8]: 256 compares in the vector's lanes.
KERNELBUS_VECTOR_BODY void countAhead(const double* k, const double* ts, double shift, size_t* count) {
  for (size_t j = 0; j < 8; j++) {
    const double threshold = ts[j] - shift;
    size_t c = 0;
    for (size_t q = 0; q < 32; q++) c += k[q] <= threshold ? 1 : 0;
    count[j] = c;
  }
}

// Where each trade's quote comes from (lagQuotes() in the reference): the row `at` of (bid, ask), or
// none, found by a merge over the sorted times `keys` (the quote stream's, or the trades' own).
struct Source {
  bool own;  // each trade's own row (the fields below unused)
  const double* keys;
  const double* bid;
  const double* ask;
  size_t m;
  double lag;
  bool firstAfter;  // lagFrom trades: the first row with key > t - lag, none before keys[0]
  bool stream;      // a quote stream whose rows, and the trades' times and prices, run() checks as it reads them

  // The number of keys <= t (where a merge over the trades from t on starts).
  size_t countUpTo(double t) const { return static_cast<size_t>(std::upper_bound(keys, keys + m, t) - keys); }

  // The quotes of trades ts[0..len) into qbid/qask[len]; `count` the number of keys <= the lagged time
  // of the first trade or one before it (then of the last). Trade i's quote: `count` advanced to its
  // lagged time, then the row it selects. One linear merge, four keys a step, so that the usual one or
  // two quotes a trade cost no mispredicted branch (the keys are sorted: the keys <= t in a window are
  // its first ones). One stream per array: four interleaved stretches of the trades (independent chains
  // of loads) measured 1.4x slower here, the prefetchers following four times the streams. The fields
  // are read into locals first (the stores to qbid/qask could alias them: the compiler would reload
  // them at every trade).
  void align(const double* ts, size_t len, size_t& count, double* qbid, double* qask) const {
    const double* const k = keys;
    const double* const qb = bid;
    const double* const qa = ask;
    const size_t n = m;
    const double shift = lag;
    const bool after = firstAfter;
    const double first = n > 0 ? k[0] : HUGE_VAL;
    size_t c = count;
    const auto select = [&](size_t i, size_t at, double threshold) {
      const bool none = after ? at >= n || !(threshold >= first) : at == 0;
      const size_t row = none ? 0 : after ? at : at - 1;
      qbid[i] = none ? NAN : qb[row];
      qask[i] = none ? NAN : qa[row];
    };
    // eight trades a step while 32 keys lie ahead: one dependent step per eight trades (their times are
    // in order, so the eighth's count is the largest); a step that passes all 32, and the last trades,
    // one trade at a time
    for (size_t i = 0, ahead[8]; i < len;) {
      if (i + 8 <= len && c + 32 <= n) {
        simd::run<countAhead>(k + c, ts + i, shift, ahead);
        if (ahead[7] < 32) {
          for (size_t j = 0; j < 8; j++) select(i + j, c + ahead[j], ts[i + j] - shift);
          c += ahead[7];
          i += 8;
          continue;
        }
      }
      const double threshold = ts[i] - shift;
      for (;;) {
        if (c + 4 > n) {
          while (c < n && k[c] <= threshold) c++;
          break;
        }
        const size_t in =
            size_t{k[c] <= threshold} + size_t{k[c + 1] <= threshold} + size_t{k[c + 2] <= threshold} + size_t{k[c + 3] <= threshold};
        c += in;
        if (in < 4) break;
      }
      select(i, c, threshold);
      i++;
    }
    count = c;
  }
};

// referenceClassifyTrades(): the fallback signs, then each trade's label over its own.
//
// The forward algorithms check, sign and label kChunk trades at a time while they are in cache, over
// parts of the tape on the threads (parallelFor): a part starts from the price before it with no carried
// sign, so its first trades up to its first price change (`lead`) may have taken a fallback of 0; once
// every part is done, those few trades are labelled again, part after part, with the sign carried from
// the parts before. The labels are the same whatever the parts. A trade fault is found after the parts
// are written: the output is unspecified on a fault, and the first fault in trade order is reported. With
// a lag or a quote stream each chunk's quotes are gathered first (a merge, from a binary search at the
// start of each part). The trades' own rows (with or without a lag) are checked chunk by chunk as
// they are read (a lag reads rows at or before the chunk's: checked by this chunk, an earlier one or
// another part; any fault fails the call). A quote stream: one read of it (and of the trades), the checks done chunk by chunk as the merge
// reads the rows, in cache: part k checks the quote rows [S_k, S_k+1), S_k the rows before its first trade's time (S_0 = 0, the last part
// up to m; made non-decreasing, so the parts' rows cover the stream once even when it is unsorted), and its trades; a fault found anywhere
// is reported as the scalar checks find it (the stream's first, then the trades').
Status run(const double* ts, const double* price, const double* bid, const double* ask, size_t n, const Source& source,
           const Params& params, int8_t* out) {
  const int algorithm = params.algorithm;
  const int base = algorithm >= kReverseLeeReady ? algorithm - kReverseLeeReady + kLeeReady : algorithm;
  const int convention = params.convention;
  const bool own = source.own;
  const bool stream = source.stream;
  const bool quoted = bid != nullptr;  // the trades carry their quotes (their own, or a lag over them)
  const auto streamFault = [&] {
    const Status q = checkQuoteStream(source.keys, source.bid, source.ask, source.m);
    return q.ok() ? checkTrades(ts, price, n) : q;
  };
  if (algorithm == kReverseTick || algorithm >= kReverseLeeReady) {
    if (quoted && !simd::run<valid>(ts, price, bid, ask, n, -HUGE_VAL)) return checkQuotedTrades(ts, price, bid, ask, n);
    if (stream &&
        !(simd::run<validStream>(source.keys, source.bid, source.ask, 0, source.m) && simd::run<validTrades>(ts, price, n, -HUGE_VAL))) {
      return streamFault();
    }
    reverseTickSigns(price, n, out);
    if (algorithm == kReverseTick) return Status{};
    if (own) {
      simd::run<labels<false>>(base, convention, ts, price, bid, ask, n, 0.0, out);
      return Status{};
    }
    std::vector<double> qbid(n), qask(n);
    size_t count = 0;
    if (n > 0) source.align(ts, n, count, qbid.data(), qask.data());
    simd::run<labels<false>>(base, convention, ts, price, qbid.data(), qask.data(), n, 0.0, out);
    return Status{};
  }
  // 256 trades a chunk: their four columns (8 KB) stay in L1 through the check, the signs and the
  // labels (issue 52: Lee-Ready over its own quotes 0.89-0.92x vpin() with chunks of 1024, 32 KB, and
  // 1.06-1.10x with 256, native/bench/vpin_bench.cpp, 10^7 trades, interleaved rounds)
  constexpr size_t kChunk = 256;
  constexpr size_t kPartMin = size_t{1} << 18;  // trades a part, at least
  struct Part {
    bool valid = true;
    size_t lead = 0;  // trades before the part's first change (all of them when none)
    int sign = 0;     // the sign after the part, from its own changes (0 when none)
  };
  const size_t parts = std::max<size_t>(1, std::min<size_t>(64, n / kPartMin));
  std::vector<Part> done(parts);
  // a stream: the quote rows each part checks, [rows[k], rows[k + 1])
  std::vector<size_t> rows(stream ? parts + 1 : 0);
  if (stream) {
    rows[parts] = source.m;
    for (size_t k = 1; k < parts; k++) rows[k] = std::max(rows[k - 1], source.countUpTo(ts[n * k / parts] - source.lag));
  }
  parallelFor(parts, 1, [&](size_t first, size_t last) {
    double qbid[kChunk], qask[kChunk];
    for (size_t k = first; k < last; k++) {
      const size_t begin = n * k / parts, end = n * (k + 1) / parts;
      Part& part = done[k];
      tick::Carry carry{begin > 0 ? price[begin - 1] : NAN, 0};
      size_t count = !own && begin < end ? source.countUpTo(ts[begin] - source.lag) : 0;  // where the merge starts
      size_t checked = stream ? rows[k] : 0;                                              // the stream's rows checked so far
      const size_t upTo = stream ? rows[k + 1] : 0;
      for (size_t from = begin; from < end; from += kChunk) {
        const size_t len = std::min(kChunk, end - from);
        const double* b = own ? bid + from : qbid;  // (bid is null with a stream)
        const double* a = own ? ask + from : qask;
        const double before = from > 0 ? ts[from - 1] : -HUGE_VAL;
        // the trades' own quotes: checked as they are labelled, below
        if (quoted && !own && !simd::run<valid>(ts + from, price + from, bid + from, ask + from, len, before)) {
          part.valid = false;
          return;
        }
        if (!own) source.align(ts + from, len, count, qbid, qask);
        if (stream) {
          // the trades, and the rows the merge has just read (in cache), up to the part's share
          const size_t to = std::min(upTo, std::max(checked, count));
          if (!simd::run<validTrades>(ts + from, price + from, len, before) ||
              !simd::run<validStream>(source.keys, source.bid, source.ask, checked, to)) {
            part.valid = false;
            return;
          }
          checked = to;
        }
        tick::signs(Doubles(price + from), len, carry, out + from);
        if (part.lead == from - begin) {
          while (part.lead < end - begin && part.lead < from + len - begin && out[begin + part.lead] == 0) part.lead++;
        }
        if (quoted && own) {
          if (!simd::run<labels<true>>(base, convention, ts + from, price + from, bid + from, ask + from, len, before, out + from)) {
            part.valid = false;
            return;
          }
        } else {
          simd::run<labels<false>>(base, convention, ts + from, price + from, b, a, len, 0.0, out + from);
        }
      }
      if (stream && !simd::run<validStream>(source.keys, source.bid, source.ask, checked, upTo)) {  // the rest of the part's rows
        part.valid = false;
        return;
      }
      part.sign = carry.sign;
    }
  });
  for (const Part& part : done) {
    if (!part.valid) return stream ? streamFault() : checkQuotedTrades(ts, price, bid, ask, n);
  }
  int sign = done[0].sign;
  for (size_t k = 1; k < parts; k++) {
    const size_t begin = n * k / parts, end = n * (k + 1) / parts;
    const size_t lead = done[k].lead;
    if (sign != 0 && lead > 0) {
      // the part's leading trades again, with the carried sign as their fallback (their quotes again)
      double qbid[kChunk], qask[kChunk];
      for (size_t from = begin; from < begin + lead; from += kChunk) {
        const size_t len = std::min(kChunk, begin + lead - from);
        const double* b = own ? bid + from : qbid;
        const double* a = own ? ask + from : qask;
        if (!own) {
          size_t count = source.countUpTo(ts[from] - source.lag);
          source.align(ts + from, len, count, qbid, qask);
        }
        for (size_t i = from; i < from + len; i++) out[i] = static_cast<int8_t>(sign);
        simd::run<labels<false>>(base, convention, ts + from, price + from, b, a, len, 0.0, out + from);
      }
    }
    if (lead < end - begin) sign = done[k].sign;
  }
  return Status{};
}

}  // namespace

Status classifyTrades(const double* ts, const double* price, const double* bid, const double* ask, size_t n, const Params& params,
                      int8_t* out) {
  if (params.quoteLagMs == 0) return run(ts, price, bid, ask, n, Source{true, nullptr, bid, ask, n, 0, false, false}, params, out);
  // a lag over the trades' own rows: run() checks them as it reads them
  return run(ts, price, bid, ask, n, Source{false, ts, bid, ask, n, params.quoteLagMs, params.lagFrom == kLagFromTrades, false}, params,
             out);
}

Status classifyQuotes(const double* ts, const double* price, size_t n, const double* quoteTs, const double* bid, const double* ask,
                      size_t m, const Params& params, int8_t* out) {
  // the stream and the trades are checked by run(), as the merge reads them
  return run(ts, price, nullptr, nullptr, n, Source{false, quoteTs, bid, ask, m, params.quoteLagMs, false, true}, params, out);
}

}  // namespace kernelbus::classify
