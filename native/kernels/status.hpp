// How a kernel reports bad data: a Status with a fault code and where (never an exception). One code
// list for every kernel family, the same numbers as src/kernels/faults.ts, which turns (code, index,
// value, previous) into the KernelInputError every backend throws. A new family appends its codes.
#pragma once

namespace kernelbus {

enum class Fault : int {
  None = 0,
  // VPIN family (vpin.hpp)
  TsNotFinite = 1,
  TsDecreasing = 2,
  TsInClosedBar = 3,
  PriceNotFinite = 4,
  VolumeInvalid = 5,
  TooManyBuckets = 6,
  OpenNotFinite = 7,
  CloseNotFinite = 8,
  BarVolumeInvalid = 9,
  StateInvalid = 10,
  PriceArgNotFinite = 11,
  ParamInvalid = 12,          // index = the parameter's position in the kernel's names (vpin::kParamNames, generated/<family>.hpp)
  StreamSigmaNotCausal = 13,  // a stream with the 'sample' sigma
  TsBarOutOfRange = 14,       // ts / barMs overflows: previous = barMs
  // Risk family (risk.hpp): index = the element's row-major position, previous = the columns
  PriceNotPositive = 15,  // a price not finite and > 0 (NaN, missing, is allowed)
  ReturnNotFinite = 16,   // an infinite return (NaN, missing, is allowed)
  WeightNotFinite = 17,
  CovNotPositiveDefinite = 18,  // index = the Cholesky pivot, value = its remaining diagonal
  // Factor family (factor.hpp): index = the element's row-major position, previous = the columns
  MarketCapNotPositive = 19,  // a market cap not finite and > 0 (NaN, missing, is allowed)
  SectorOutOfRange = 20,      // a sector code not an integer in [0, m) (NaN allowed per date)
  // VPIN family, classifyTrades (classify.hpp): previous = 0 for the bid, 1 for the ask
  QuoteInvalid = 21,  // a bid or ask infinite or < 0 (NaN, no quote, is allowed)
  // Portfolio family (portfolio.hpp): index = the problem of the batch unless said otherwise
  PortfolioCovInvalid = 22,     // index = the element's position in the stack, previous = N
  PortfolioNotPsd = 23,         // value = the curvature, previous = the asset freed (-1: a row); or
                                // efficientFrontier: value = a turning point's non-finite number, previous = the point
  PortfolioInfeasible = 24,     // value = the shortfall, previous = the row's tag
  PortfolioUnbounded = 25,      // previous = the asset moved (-1: a row)
  PortfolioNotConverged = 26,   // value = the iterations
  PortfolioReturnTarget = 27,   // value = the target, previous = the highest feasible return
  PortfolioRiskTarget = 28,     // value = the target, previous = the lowest feasible volatility
  PortfolioMeanNotFinite = 29,  // index = the element's position, previous = N
  // Portfolio family, allocation kernels (portfolio_alloc.hpp): a non-finite cov is PortfolioCovInvalid
  VarianceNotPositive = 30,     // index = i of cov[i][i], previous = N
  BudgetInvalid = 31,           // a risk budget not finite and > 0
  RiskParityNotConverged = 32,  // index = its Newton steps, value = max |y_i (S y)_i - b_i|
  CorrelationUndefined = 33,    // hrp: a NaN correlation, index = p N^2 + its row-major position (problem p), previous = N
  // VPIN family, classifyTrades from a quote stream (classify.hpp)
  QuoteTsInvalid = 34,  // a quote time not finite, or before the one before it: previous = that one
  // VPIN family, PIN (pin.hpp)
  PinCountInvalid = 35,       // a count not an integer >= 0: previous = 0 for buys, 1 for sells
  RealizedTsInvalid = 36,     // a realized measure's ts not finite or decreasing: previous = the ts before
  RealizedPriceInvalid = 37,  // a realized measure's price not finite and > 0
  HarInputInvalid = 38,       // previous 0: rv[index] not finite, 1: terms[index] bad, 2: rv of value days, index needed
  // Portfolio family, minVariance's own covariance test (portfolio_psd.hpp)
  PortfolioCovNotPsd = 39,  // index = the covariance of the stack (-1: the only one), value = the pivot, previous = its asset
  // Labeling family (labeling/labeling.hpp; the messages: src/kernels/labeling/labeling-faults.ts)
  LabelTsInvalid = 40,     // a bar time not finite or not after the one before: previous = that one (NaN first)
  EventInvalid = 41,       // an event time that is wrong: previous = what (labeling::EventFault)
  LabelValueInvalid = 42,  // an input value that is wrong: previous = which (labeling::ValueFault)
  SplitsAboveEvents = 43,  // index = splits, value = the events
  // Margin family (margin/margin.hpp; the messages: src/kernels/margin/margin-faults.ts)
  MarginInputInvalid = 44,  // previous = what (margin::MarginFault)
  // Ml family (ml/ml.hpp; the messages: src/kernels/ml/ml-faults.ts)
  MlModelInvalid = 45,  // previous = what (ml::MlFault)
};

/// Every fault by name, in code order: what the addon's faultCodes() exports, so that a test holds
/// this list equal to Fault in src/kernels/faults.ts (names there in SNAKE_CASE).
struct FaultName {
  const char* name;
  Fault code;
};
constexpr FaultName kFaultNames[] = {
    {"TsNotFinite", Fault::TsNotFinite},
    {"TsDecreasing", Fault::TsDecreasing},
    {"TsInClosedBar", Fault::TsInClosedBar},
    {"PriceNotFinite", Fault::PriceNotFinite},
    {"VolumeInvalid", Fault::VolumeInvalid},
    {"TooManyBuckets", Fault::TooManyBuckets},
    {"OpenNotFinite", Fault::OpenNotFinite},
    {"CloseNotFinite", Fault::CloseNotFinite},
    {"BarVolumeInvalid", Fault::BarVolumeInvalid},
    {"StateInvalid", Fault::StateInvalid},
    {"PriceArgNotFinite", Fault::PriceArgNotFinite},
    {"ParamInvalid", Fault::ParamInvalid},
    {"StreamSigmaNotCausal", Fault::StreamSigmaNotCausal},
    {"TsBarOutOfRange", Fault::TsBarOutOfRange},
    {"PriceNotPositive", Fault::PriceNotPositive},
    {"ReturnNotFinite", Fault::ReturnNotFinite},
    {"WeightNotFinite", Fault::WeightNotFinite},
    {"CovNotPositiveDefinite", Fault::CovNotPositiveDefinite},
    {"MarketCapNotPositive", Fault::MarketCapNotPositive},
    {"SectorOutOfRange", Fault::SectorOutOfRange},
    {"QuoteInvalid", Fault::QuoteInvalid},
    {"PortfolioCovInvalid", Fault::PortfolioCovInvalid},
    {"PortfolioNotPsd", Fault::PortfolioNotPsd},
    {"PortfolioInfeasible", Fault::PortfolioInfeasible},
    {"PortfolioUnbounded", Fault::PortfolioUnbounded},
    {"PortfolioNotConverged", Fault::PortfolioNotConverged},
    {"PortfolioReturnTarget", Fault::PortfolioReturnTarget},
    {"PortfolioRiskTarget", Fault::PortfolioRiskTarget},
    {"PortfolioMeanNotFinite", Fault::PortfolioMeanNotFinite},
    {"VarianceNotPositive", Fault::VarianceNotPositive},
    {"BudgetInvalid", Fault::BudgetInvalid},
    {"RiskParityNotConverged", Fault::RiskParityNotConverged},
    {"CorrelationUndefined", Fault::CorrelationUndefined},
    {"QuoteTsInvalid", Fault::QuoteTsInvalid},
    {"PinCountInvalid", Fault::PinCountInvalid},
    {"RealizedTsInvalid", Fault::RealizedTsInvalid},
    {"RealizedPriceInvalid", Fault::RealizedPriceInvalid},
    {"HarInputInvalid", Fault::HarInputInvalid},
    {"PortfolioCovNotPsd", Fault::PortfolioCovNotPsd},
    {"LabelTsInvalid", Fault::LabelTsInvalid},
    {"EventInvalid", Fault::EventInvalid},
    {"LabelValueInvalid", Fault::LabelValueInvalid},
    {"SplitsAboveEvents", Fault::SplitsAboveEvents},
    {"MarginInputInvalid", Fault::MarginInputInvalid},
    {"MlModelInvalid", Fault::MlModelInvalid},
};

constexpr bool faultNamesInOrder() {
  int code = 1;
  for (const FaultName& f : kFaultNames) {
    if (static_cast<int>(f.code) != code++) return false;
  }
  return true;
}
static_assert(faultNamesInOrder(), "kFaultNames: every Fault, in code order from 1");
static_assert(static_cast<int>(Fault::MlModelInvalid) == sizeof(kFaultNames) / sizeof(kFaultNames[0]),
              "kFaultNames: a Fault appended needs its name here, and this assert its code");

struct Status {
  Fault fault = Fault::None;
  double index = 0;
  double value = 0;
  double previous = 0;
  bool ok() const { return fault == Fault::None; }
};

}  // namespace kernelbus
