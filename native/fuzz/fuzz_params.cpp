// libFuzzer target of the parameter checks: VPIN's (calls.hpp: vpin::unpackParams,
// vpin::unpackClassifyParams) and every risk, factor, portfolio and special kernel's (risk_entry.hpp,
// factor_entry.hpp, portfolio_entry.hpp, special_entry.hpp, pin_entry.hpp: unpack()).
// VPIN invariants: every parameter set the TS layer accepts (input.hpp vpinParams/classifyParams) is
// accepted and unpacked unchanged; with one value replaced by anything, the set is accepted exactly
// when the TS rules (tsAccepts below, resolveVpinOptions/resolveClassify) accept it, and else refused
// with ParamInvalid at that value's position; a vector of the wrong length is refused.
// Other kernels' invariants: a set of values, each valid or anything, is accepted exactly when every
// value meets the rule its descriptor states (kKernels below, written from the `expected` strings of
// src/kernels/risk.ts, factor.ts, special-family.ts), else refused with ParamInvalid at the first that
// does not; a wrong count is ParamInvalid at index = the count expected, value = the count given; the
// names paramNames() gives have the count the kernel reads.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "calls.hpp"
#include "factor_entry.hpp"
#include "generated/param_names.hpp"
#include "pin_entry.hpp"
#include "portfolio_alloc_entry.hpp"
#include "portfolio_entry.hpp"
#include "risk_analytics_entry.hpp"
#include "risk_entry.hpp"
#include "special_entry.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

bool isIntegerIn(double x, double lo, double hi) { return std::floor(x) == x && x >= lo && x <= hi; }
bool positiveFinite(double x) { return x > 0 && std::isfinite(x); }

// The TS rules over the packed values (all finite: TS passes 0 for the unused sigmaParam and nu).
bool tsAccepts(const std::vector<double>& v, bool classifyOnly) {
  for (double x : v)
    if (!std::isfinite(x)) return false;
  size_t c = 0;
  if (!classifyOnly) {
    if (!positiveFinite(v[0]) || !isIntegerIn(v[1], 1, 1e6) || !positiveFinite(v[2]) || !isIntegerIn(v[3], 0, 2) ||
        !isIntegerIn(v[4], 0, 1e9)) {
      return false;
    }
    c = vpin::kClassifyOffset;
  }
  const double kind = v[c + 1], param = v[c + 2];
  if (!isIntegerIn(v[c], 0, 1) || !isIntegerIn(kind, 0, 3) || !isIntegerIn(v[c + 3], 0, 1)) return false;
  if (kind == vpin::kSigmaFixed && !positiveFinite(param)) return false;
  if (kind == vpin::kSigmaRolling && !isIntegerIn(param, 2, 1e6)) return false;
  if (kind == vpin::kSigmaEwma && !(param >= 0 && param < 1)) return false;
  return v[c + 3] == 0 || positiveFinite(v[c + 4]);
}

// The values `p` holds, packed as `packed` is.
std::vector<double> repacked(const vpin::Params& p, bool classifyOnly) {
  std::vector<double> v = fuzz::packParams(p);
  if (classifyOnly) v.erase(v.begin(), v.begin() + vpin::kClassifyOffset);
  return v;
}

// ---------------------------------------------------------------------------------------------
// The other kernels: one rule per packed value, as each descriptor's `expected` says.

constexpr double kMaxInteger = 9007199254740991.0;  // 2^53 - 1
bool finite(double x) { return std::isfinite(x); }
bool openUnit(double x) { return x > 0 && x < 1; }
bool unit(double x) { return x >= 0 && x <= 1; }
bool winsor(double x) { return x >= 0 && x <= 0.5; }
bool winsorOrOff(double x) { return winsor(x) || x == -1; }
bool flag(double x) { return x == 0 || x == 1; }
bool atLeastTwo(double x) { return isIntegerIn(x, 2, kMaxInteger); }
bool rollingMask(double x) { return isIntegerIn(x, 1, 1023); }
bool aboveMinusOne(double x) { return x > -1 && std::isfinite(x); }
bool nonNegativeInteger(double x) { return isIntegerIn(x, 0, kMaxInteger); }
bool positiveInteger(double x) { return isIntegerIn(x, 1, kMaxInteger); }
bool varMethod(double x) { return isIntegerIn(x, 0, 2); }
bool covMethod(double x) { return isIntegerIn(x, 0, 6); }
bool lags(double x) { return isIntegerIn(x, 0, 10000); }
bool monteCarloNu(double x) { return x == 0 || positiveFinite(x - 2); }
bool studentNu(double x) { return x > 0; }
bool nonNegativeFinite(double x) { return x >= 0 && std::isfinite(x); }
bool linkageMethod(double x) { return isIntegerIn(x, 0, 4); }
bool hrpSource(double x) { return isIntegerIn(x, 0, 2); }
bool expectedReturnsMethod(double x) { return isIntegerIn(x, 0, 2); }
bool pinFactorization(double x) { return isIntegerIn(x, 0, 2); }

template <typename P>
Status unpackAs(Packed p) {
  P out;
  return risk::unpack(p, out);
}
template <typename P>
Status unpackAllocation(Packed p) {
  P out;
  return portfolio::unpack(p, out);
}
template <typename P>
Status unpackFactor(Packed p) {
  P out;
  return factor::unpack(p, out);
}

struct KernelParams {
  const char* kernel;
  std::vector<bool (*)(double)> rules;  // in packed order
  Status (*unpack)(Packed);
  bool upperAfterLower;  // the second value must be >= the first (winsorize, size)
};

const KernelParams kKernels[] = {
    {"cumulativeReturns", {finite}, unpackAs<risk::CumulativeReturnsParams>, false},
    {"performanceStats", {positiveFinite, finite, aboveMinusOne}, unpackAs<risk::PerformanceStatsParams>, false},
    {"varBacktest", {openUnit, positiveInteger, flag}, unpackAs<risk::VarBacktestParams>, false},
    {"rolling", {atLeastTwo, rollingMask, positiveFinite, finite, openUnit}, unpackAs<risk::RollingParams>, false},
    {"drawdowns", {positiveInteger, flag}, unpackAs<risk::DrawdownsParams>, false},
    {"relativeStats", {positiveFinite, finite, flag}, unpackAs<risk::RelativeStatsParams>, false},
    {"valueAtRisk", {varMethod, openUnit, nonNegativeInteger}, unpackAs<risk::ValueAtRiskParams>, false},
    {"covariance", {covMethod, openUnit, flag, finite}, unpackAs<risk::CovarianceParams>, false},
    {"componentVar", {flag, openUnit}, unpackAs<risk::ComponentVarParams>, false},
    {"monteCarloVar",
     {positiveInteger, openUnit, positiveFinite, nonNegativeInteger, monteCarloNu},
     unpackAs<risk::MonteCarloVarParams>,
     false},
    {"monteCarloScenarios",
     {positiveInteger, positiveFinite, nonNegativeInteger, monteCarloNu},
     unpackAs<risk::MonteCarloScenariosParams>,
     false},
    {"hrp", {linkageMethod, hrpSource}, unpackAllocation<portfolio::HrpParams>, false},
    {"nearestPsd", {flag}, unpackAllocation<portfolio::NearestPsdParams>, false},
    {"expectedReturns",
     {expectedReturnsMethod, flag, positiveFinite, positiveFinite, finite, flag, flag},
     unpackAllocation<portfolio::ExpectedReturnsParams>,
     false},
    {"winsorize", {unit, unit}, unpackFactor<factor::WinsorizeParams>, true},
    {"size", {unit, unit}, unpackFactor<factor::SizeParams>, true},
    {"momentum", {nonNegativeInteger, winsor}, unpackFactor<factor::MomentumParams>, false},
    {"value", {winsorOrOff}, unpackFactor<factor::ValueParams>, false},
    {"factorReturns", {winsorOrOff, flag}, unpackFactor<factor::FactorReturnsParams>, false},
    {"factorCovariance", {lags}, unpackFactor<factor::FactorCovarianceParams>, false},
    {"minVariance",
     {nonNegativeFinite},
     [](Packed p) {
       portfolio::MinVarianceParams out;
       return portfolio::unpack(p, out);
     },
     false},
    {"maxSharpe",
     {finite, nonNegativeFinite},
     [](Packed p) {
       portfolio::MaxSharpeParams out;
       return portfolio::unpack(p, out);
     },
     false},
    {"maxUtility",
     {positiveFinite, nonNegativeFinite, finite},
     [](Packed p) {
       portfolio::MaxUtilityParams out;
       return portfolio::unpack(p, out);
     },
     false},
    {"efficientReturn",
     {nonNegativeFinite, finite},
     [](Packed p) {
       portfolio::EfficientParams out;
       return portfolio::unpack(p, out);
     },
     false},
    {"efficientRisk",
     {nonNegativeFinite, finite},
     [](Packed p) {
       portfolio::EfficientParams out;
       return portfolio::unpack(p, out);
     },
     false},
    {"pinLikelihood",
     {unit, unit, nonNegativeFinite, nonNegativeFinite, nonNegativeFinite, pinFactorization},
     [](Packed p) {
       pin::PinLikelihoodParams out;
       return pin::unpack(p, out);
     },
     false},
    {"pin",
     {pinFactorization, flag},
     [](Packed p) {
       pin::PinParams out;
       return pin::unpack(p, out);
     },
     false},
    {"studentTCdf",
     {studentNu},
     [](Packed p) {
       special::StudentTCdfParams out;
       return special::unpack(p, out);
     },
     false},
    {"studentTQuantile",
     {studentNu},
     [](Packed p) {
       special::StudentTQuantileParams out;
       return special::unpack(p, out);
     },
     false},
};

/// A value for a rule's place: near the edges of every rule, or anything.
double candidate(fuzz::Input& in) {
  static constexpr double kEdges[] = {-1, -0.0, 0, 0.5, 1, 2, 2.5, 10000, 10001, kMaxInteger, kMaxInteger + 1, 0.95, 252};
  switch (in.in<int>(0, 3)) {
    case 0:
      return kEdges[in.in<size_t>(0, sizeof(kEdges) / sizeof(kEdges[0]) - 1)];
    case 1:
      return in.real(-2, 4);
    case 2:
      return static_cast<double>(in.in<int>(-2, 12));
    default:
      return in.anyDouble();
  }
}

void otherKernel(fuzz::Input& in) {
  const KernelParams& k = kKernels[in.in<size_t>(0, sizeof(kKernels) / sizeof(kKernels[0]) - 1)];
  ParamNames names{nullptr, 0};
  require(generatedParamNames(k.kernel, names) || portfolio::optimizerParamNames(k.kernel, names) ||
          portfolio::allocationParamNames(k.kernel, names));
  require(names.count == k.rules.size());
  const size_t expected = k.rules.size();
  const size_t count = in.in<int>(0, 7) == 0 ? in.in<size_t>(0, expected + 2) : expected;
  std::vector<double> v(count);
  for (double& x : v) x = candidate(in);
  const Status s = k.unpack(Packed{v.data(), v.size()});
  if (count != expected) {
    require(s.fault == Fault::ParamInvalid && s.index == static_cast<double>(expected) && s.value == static_cast<double>(count));
    return;
  }
  size_t bad = 0;
  while (bad < expected && k.rules[bad](v[bad])) bad++;
  if (bad == expected && k.upperAfterLower && !(v[1] >= v[0])) bad = 1;
  if (bad == expected) {
    require(s.ok());
  } else {
    require(s.fault == Fault::ParamInvalid && s.index == static_cast<double>(bad));
    require(s.value == v[bad] || (std::isnan(s.value) && std::isnan(v[bad])));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  if (in.flag()) {
    otherKernel(in);
    return 0;
  }
  const bool classifyOnly = in.flag();
  std::vector<double> packed = repacked(in.vpinParams(false), classifyOnly);
  vpin::Params out;
  require(fuzz::unpackParams(packed, classifyOnly, out).ok());
  require(repacked(out, classifyOnly) == packed);

  const size_t at = in.in<size_t>(0, packed.size());  // packed.size(): change the length instead
  if (at == packed.size()) {
    packed.resize(in.flag() ? in.in<size_t>(0, packed.size() - 1) : packed.size() + in.in<size_t>(1, 4));
  } else {
    packed[at] = in.flag() ? in.anyDouble() : in.in(-2, 4);
  }
  vpin::Params changed;
  const vpin::Status s = fuzz::unpackParams(packed, classifyOnly, changed);
  const size_t expected = classifyOnly ? vpin::kClassifyParamCount : vpin::kParamCount;
  if (packed.size() != expected) {
    require(s.fault == vpin::Fault::ParamInvalid);
    return 0;
  }
  require(s.ok() == tsAccepts(packed, classifyOnly));
  if (s.ok()) {
    require(repacked(changed, classifyOnly) == packed);  // == : -0 and 0 are the same integer
  } else {
    // At the changed value, or at the value it governs: sigmaKind -> sigmaParam, distribution -> nu.
    const size_t position = at + (classifyOnly ? vpin::kClassifyOffset : 0);  // in kParamNames
    const bool governs = position == vpin::kClassifyOffset + 1 || position == vpin::kClassifyOffset + 3;
    require(s.fault == vpin::Fault::ParamInvalid &&
            (s.index == static_cast<double>(position) || (governs && s.index == static_cast<double>(position + 1))));
  }
  return 0;
}
