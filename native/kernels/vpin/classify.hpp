// Trade classification from quotes (the VPIN family's classifyTrades, issue 32): plain C++17 over
// pointers and lengths, following src/backends/reference/vpin/classify.ts function for function. The rules
// and the peers (tclf, PINstimation) are documented on VpinKernels.classifyTrades (src/kernels/vpin/vpin-kernels.ts).
#pragma once

#include <cstddef>
#include <cstdint>

#include "entry.hpp"
#include "generated/classify.hpp"
#include "status.hpp"

namespace kernelbus::classify {

/// Algorithm codes (CLASSIFY_ALGORITHMS order) and conventions (CLASSIFY_CONVENTIONS order).
enum Algorithm : int {
  kTick = 0,
  kReverseTick = 1,
  kQuote = 2,
  kLeeReady = 3,
  kEmo = 4,
  kClnv = 5,
  kReverseLeeReady = 6,
  kReverseEmo = 7,
  kReverseClnv = 8,
};
enum Convention : int { kTclf = 0, kPinstimation = 1 };

enum LagFrom : int { kLagFromQuotes = 0, kLagFromTrades = 1 };

/// The packed parameters (src/kernels/vpin/classify.ts CLASSIFY_TRADES_PARAMS): algorithm, convention,
/// quoteLagMs, lagFrom, each 0 by default; kClassifyTradesParams and unpack() with them (ParamInvalid
/// with the position in kClassifyTradesParams).
using Params = ClassifyTradesParams;

/// +1 / -1 / 0 per trade into out[n], the quote of each from the trades' own bid/ask columns: at the
/// trade's row at quoteLagMs 0; else lagFrom quotes: the last row with ts <= t - lag; lagFrom trades
/// (PINstimation's timelag): the first row with ts > t - lag, none where t - lag < ts[0]. Faults:
/// TsNotFinite, TsDecreasing, PriceNotFinite, QuoteInvalid (previous 0 bid, 1 ask), the first in trade
/// order; the output is unspecified then.
Status classifyTrades(const double* ts, const double* price, const double* bid, const double* ask, size_t n, const Params& params,
                      int8_t* out);

/// The same with the quotes from a stream (quoteTs, bid, ask)[m]: each trade's quote is the last with
/// quote time <= t - quoteLagMs (lagFrom quotes only). The stream is checked first: QuoteTsInvalid,
/// QuoteInvalid (previous 2 bid, 3 ask), then the trades.
Status classifyQuotes(const double* ts, const double* price, size_t n, const double* quoteTs, const double* bid, const double* ask,
                      size_t m, const Params& params, int8_t* out);

}  // namespace kernelbus::classify
