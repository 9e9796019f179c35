// libFuzzer target of the kernel entries (native/kernels/*_entry.hpp): what the addon calls, with the
// arguments a JS caller can pass once the binding has checked their kinds: arbitrary counts (small, or
// huge enough to overflow a size), arrays of arbitrary lengths (each allocated at exactly its length,
// so that a read or write past it is an ASan report) holding arbitrary values (an asymmetric or
// non-finite covariance among them: the binding no longer scans it), and packed parameters valid or
// with one value replaced by anything, or of the wrong count.
// Invariants: no crash, no sanitizer report; an entry succeeds only when every array has the length
// its counts say (the layouts of risk.hpp and factor.hpp); a wrong parameter count is ParamInvalid at
// index = the count expected.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "factor_entry.hpp"
#include "input.hpp"
#include "invariants.hpp"
#include "pin_entry.hpp"
#include "portfolio_alloc_entry.hpp"
#include "risk_analytics_entry.hpp"
#include "risk_entry.hpp"
#include "special_entry.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

/// The integer in [1, max] the entry reads at params[i], else `chosen` (the harness's value): params()
/// may replace a value by another the entry accepts, and an output's expected length must follow it.
size_t paramInteger(const Packed& p, size_t i, size_t chosen, double max) {
  if (p.length <= i) return chosen;
  const double v = p.data[i];
  return v >= 1 && v <= max && v == std::floor(v) ? static_cast<size_t>(v) : chosen;
}

/// The arguments of one call, and whether each array got its exact length.
class Args {
 public:
  explicit Args(fuzz::Input& in) : in_(in) {}

  /// A count: small, or now and then one whose products overflow.
  size_t count() {
    if (in_.in<int>(0, 15) == 15) {
      static constexpr size_t kHuge[] = {size_t{1} << 31, size_t{1} << 40, (size_t{1} << 53) - 1};
      huge_ = true;
      return kHuge[in_.in<size_t>(0, 2)];
    }
    return in_.in<size_t>(0, 6);
  }
  /// Whether the call can run in a fuzzer's time: not with a huge count and every array exact (a
  /// huge count beside a 0 is a valid call that loops 2^31 times or more over nothing).
  bool affordable() const { return !(huge_ && exact_); }
  /// An input array: mostly of `expected` values (when that can fit), else of any length up to 40.
  In input(size_t expected) {
    const size_t n = length(expected);
    store_.push_back(in_.column(n));
    return In{store_.back().data(), n};
  }
  /// An optional input array: empty (absent, which the entry accepts), or as input(expected).
  In optional(size_t expected) {
    const bool before = exact_;
    const In array = input(expected);
    if (array.length == 0) exact_ = before;
    return array;
  }
  /// An input array of n values, of any length the entry accepts (not a shape it checks).
  In any(size_t n) {
    store_.push_back(in_.column(n));
    return In{store_.back().data(), n};
  }
  /// Daily counts: as input(expected), its values mostly integers >= 0 (now and then left as drawn:
  /// negative, fractional, NaN, infinite).
  In counts(size_t expected) { return integral(input(expected)); }
  /// Counts of any length (buys: the days are its length).
  In anyCounts(size_t n) { return integral(any(n)); }
  /// The last array stored, mostly made integers >= 0 in place.
  In integral(In raw) {
    if (in_.in<int>(0, 3) != 0) {
      std::vector<double>& v = store_.back();
      for (double& x : v) x = std::isfinite(x) ? std::floor(std::fmod(std::fabs(x), 1e6)) : 0;
    }
    return raw;
  }
  /// PIN's initial sets: k valid sets (alpha, delta in [0, 1], rates in [0, 1e4]), or any values of any length.
  In pinSets() {
    if (in_.flag()) return any(in_.in<size_t>(0, 12));  // a length or values the entry refuses, or a valid list
    const size_t k = in_.in<size_t>(1, 4);
    std::vector<double> v(5 * k);
    for (size_t i = 0; i < v.size(); i++) v[i] = i % 5 < 2 ? in_.real(0, 1) : in_.real(0, 1e4);
    store_.push_back(v);
    return In{store_.back().data(), v.size()};
  }
  /// The output array, likewise.
  Out output(size_t expected) {
    const size_t n = length(expected);
    store_.emplace_back(n, 0.0);
    return Out{store_.back().data(), n};
  }
  /// Panels of `expected` values each (count 0..3).
  Panels panels(size_t expected) {
    Panels p;
    const size_t s = in_.in<size_t>(0, 3);
    for (size_t k = 0; k < s; k++) p.list.push_back(input(expected));
    return p;
  }
  /// `valid` as is, or with one value replaced by anything, or resized.
  Packed params(std::vector<double> valid) {
    const size_t expected = valid.size();
    if (in_.flag()) {
      const size_t at = in_.in<size_t>(0, expected);
      if (at == expected) {
        valid.resize(in_.in<size_t>(0, expected + 2));
      } else {
        valid[at] = in_.flag() ? in_.anyDouble() : in_.real(-2, 4);
      }
    }
    wrongCount_ = valid.size() != expected ? static_cast<double>(expected) : -1;
    store_.push_back(valid);
    return Packed{store_.back().data(), valid.size()};
  }

  /// Checks an entry's outcome against the arguments it was given.
  void check(const Outcome& o) const {
    if (o.ok()) require(exact_ && wrongCount_ < 0);
    if (wrongCount_ >= 0 && o.status.fault == Fault::ParamInvalid && o.arg.argument < 0) {
      require(o.status.index == wrongCount_);
    }
    if (!exact_) require(!o.ok());
  }

 private:
  size_t length(size_t expected) {
    const bool fits = expected <= 4096;
    if (fits && in_.in<int>(0, 7) != 0) return expected;
    const size_t n = in_.in<size_t>(0, 40);
    exact_ = exact_ && n == expected;
    return n;
  }

  fuzz::Input& in_;
  std::deque<std::vector<double>> store_;
  bool exact_ = true;
  bool huge_ = false;
  double wrongCount_ = -1;
};

void riskEntry(fuzz::Input& in, int which) {
  Args a(in);
  const size_t rows = a.count(), cols = a.count();
  switch (which) {
    case 0: {
      const In prices = a.input(cells(rows, cols));
      const bool log = in.flag();
      const Out out = a.output(risk::returnsLength(rows, cols));
      if (a.affordable())
        a.check(log ? risk::entry::logReturns(prices, rows, cols, out) : risk::entry::simpleReturns(prices, rows, cols, out));
      break;
    }
    case 1: {
      const In returns = a.input(cells(rows, cols));
      const size_t portfolios = a.count();
      const In weights = a.input(cells(portfolios, cols));
      if (a.affordable())
        a.check(risk::entry::portfolioReturns(returns, rows, cols, weights, portfolios,
                                              a.output(risk::portfolioReturnsLength(rows, portfolios))));
      break;
    }
    case 2: {
      const In returns = a.input(cells(rows, cols));
      const Packed p = a.params({252, in.real(-0.1, 0.1), in.flag() ? 0 : in.real(-0.99, 1)});
      if (a.affordable()) a.check(risk::entry::performanceStats(returns, rows, cols, p, a.output(risk::performanceStatsLength(cols))));
      break;
    }
    case 3: {
      const In returns = a.input(cells(rows, cols));
      const Packed p = a.params({double(in.in<int>(0, 2)), 0.95, double(in.in<int>(0, 2))});
      if (a.affordable()) a.check(risk::entry::valueAtRisk(returns, rows, cols, p, a.output(risk::valueAtRiskLength(cols))));
      break;
    }
    case 4: {
      const In returns = a.input(cells(rows, cols));
      const Packed p = a.params({double(in.in<int>(0, 6)), 0.94, double(in.in<int>(0, 1)), 0});
      if (a.affordable()) a.check(risk::entry::covariance(returns, rows, cols, p, a.output(risk::covarianceLength(cols))));
      break;
    }
    case 5: {
      const size_t n = cols, portfolios = a.count();
      const In cov = a.input(cells(n, n));  // any values: asymmetric, NaN, Infinity
      const In weights = a.input(cells(portfolios, n));
      if (a.affordable())
        a.check(risk::entry::portfolioVolatility(cov, n, weights, portfolios, a.output(risk::portfolioVolatilityLength(portfolios))));
      break;
    }
    case 6: {
      const In returns = a.input(cells(rows, cols));
      const size_t portfolios = a.count();
      const In weights = a.input(cells(portfolios, cols));
      const Packed p = a.params({double(in.in<int>(0, 1)), 0.95});
      if (a.affordable())
        a.check(
            risk::entry::componentVar(returns, rows, cols, weights, portfolios, p, a.output(risk::componentVarLength(portfolios, cols))));
      break;
    }
    case 7:
    case 8: {
      const size_t n = cols;
      const In mean = a.input(n);
      const In cov = a.input(cells(n, n));
      const double nu = in.flag() ? 0 : in.real(2.5, 30);
      const double paths = double(in.in<int>(1, 64));
      if (which == 7) {
        const size_t portfolios = a.count();
        const In weights = a.input(cells(portfolios, n));
        const Packed p = a.params({paths, 0.95, 1, double(in.in<uint32_t>(0, 1000)), nu});
        if (p.length == 5 && p.data[0] > 64) return;  // a valid but costly path count
        if (a.affordable())
          a.check(risk::entry::monteCarloVar(mean, cov, n, weights, portfolios, p, a.output(risk::monteCarloVarLength(portfolios))));
      } else {
        const Packed p = a.params({paths, 1, double(in.in<uint32_t>(0, 1000)), nu});
        if (p.length == 4 && p.data[0] > 64) return;
        const size_t pathsOut = p.length == 4 && p.data[0] >= 1 && p.data[0] <= 64 ? static_cast<size_t>(p.data[0]) : 1;
        if (a.affordable())
          a.check(risk::entry::monteCarloScenarios(mean, cov, n, p, a.output(risk::monteCarloScenariosLength(pathsOut, n))));
      }
      break;
    }
    case 9: {
      const In returns = a.input(cells(rows, cols));
      const Packed p = a.params({in.flag() ? 0 : in.real(-1e6, 1e6)});
      if (a.affordable())
        a.check(risk::entry::cumulativeReturns(returns, rows, cols, p, a.output(risk::cumulativeReturnsLength(rows, cols))));
      break;
    }
    case 10: {
      const In returns = a.input(cells(rows, cols));
      const In benchmark = a.input(rows);  // any values: NaN, Infinity (the API refuses an infinite one)
      const Packed p = a.params({in.flag() ? 252 : in.real(1e-3, 1e4), in.real(-0.1, 0.1), double(in.in<int>(0, 1))});
      if (a.affordable()) a.check(risk::entry::relativeStats(returns, rows, cols, benchmark, p, a.output(risk::relativeStatsLength(cols))));
      break;
    }
    case 11: {
      const In returns = a.input(cells(rows, cols));
      const In var = a.input(cells(rows, cols));  // any values: NaN, Infinity (the API refuses an infinite one)
      const Packed p = a.params({in.real(1e-9, 1 - 1e-9), double(in.in<int>(1, 400)), double(in.in<int>(0, 1))});
      if (a.affordable()) a.check(risk::entry::varBacktest(returns, rows, cols, var, p, a.output(risk::varBacktestLength(rows, cols))));
      break;
    }
    case 12: {
      const In returns = a.input(cells(rows, cols));
      if (in.flag()) {
        if (a.affordable()) a.check(risk::entry::drawdownSeries(returns, rows, cols, a.output(cells(rows, cols))));
        break;
      }
      const size_t top = in.in<int>(1, 12);
      const Packed p = a.params({double(top), double(in.in<int>(0, 1))});
      const size_t read = paramInteger(p, 0, top, 12);  // the top the entry reads: the output's length follows it
      if (a.affordable()) a.check(risk::entry::drawdowns(returns, rows, cols, p, a.output(risk::drawdownsLength(read, cols))));
      break;
    }
    case 14: {
      const In returns = a.input(cells(rows, cols));
      const unsigned stats = in.in<int>(1, 1023);
      const In benchmark = a.input(rows);  // any values (the API passes NaN for none, refuses an infinite one)
      const Packed p = a.params(
          {double(in.in<int>(2, 70)), double(stats), in.flag() ? 252 : in.real(1e-3, 1e4), in.real(-0.1, 0.1), in.real(1e-9, 1 - 1e-9)});
      const auto read = static_cast<unsigned>(paramInteger(p, 1, stats, 1023));  // the mask the entry reads
      if (a.affordable()) a.check(risk::entry::rolling(returns, rows, cols, benchmark, p, a.output(risk::rollingLength(rows, cols, read))));
      break;
    }
    case 13: {
      const In returns = a.input(cells(rows, cols));
      const In groups = a.input(rows);  // any values: out of range, NaN, fractions are left out
      const size_t groupCount = a.count();
      if (a.affordable())
        a.check(risk::entry::aggregateReturns(returns, rows, cols, groups, groupCount, a.output(cells(groupCount, cols))));
      break;
    }
  }
}

void factorEntry(fuzz::Input& in, int which) {
  Args a(in);
  const size_t rows = a.count(), cols = a.count();
  const size_t n = cells(rows, cols);
  switch (which) {
    case 0:
    case 1: {
      const In x = a.input(n);
      const Packed p = a.params({0.05, 0.95});
      const Out out = a.output(factor::panelLength(rows, cols));
      if (a.affordable())
        a.check(which == 0 ? factor::entry::winsorize(x, rows, cols, p, out) : factor::entry::size(x, rows, cols, p, out));
      break;
    }
    case 2: {
      const In x = a.input(n);
      if (a.affordable()) a.check(factor::entry::standardize(x, rows, cols, a.output(factor::panelLength(rows, cols))));
      break;
    }
    case 3: {
      const In r = a.input(n);
      const In weights = a.any(in.in<size_t>(0, 4));  // any count: window >= 1 is the entry's check
      const Packed p = a.params({double(in.in<int>(0, 3)), 0.05});
      if (a.affordable()) a.check(factor::entry::momentum(r, rows, cols, weights, p, a.output(factor::panelLength(rows, cols))));
      break;
    }
    case 4: {
      const In book = a.input(n), sales = a.input(n), cashFlow = a.input(n);
      const Packed p = a.params({in.flag() ? -1 : 0.05});
      if (a.affordable()) a.check(factor::entry::value(book, sales, cashFlow, rows, cols, p, a.output(factor::panelLength(rows, cols))));
      break;
    }
    case 5: {
      const In r = a.input(n), cap = a.input(n);
      const size_t perDate = in.in<size_t>(0, in.flag() ? 1 : 3);
      const size_t m = in.flag() ? in.in<size_t>(1, 4) : a.count();
      const In sectors = a.input(perDate == 1 ? n : cols);
      const Panels styles = a.panels(n);
      const Packed p = a.params({in.flag() ? -1 : 0.05, double(in.in<int>(0, 1))});
      const Out out = a.output(factor::factorReturnsLength(rows, cols, m, styles.list.size()));
      if (a.affordable()) a.check(factor::entry::factorReturns(r, cap, rows, cols, sectors, perDate, m, styles, p, out));
      break;
    }
    case 6: {
      const size_t K = cols;
      const In f = a.input(n);
      const In weights = a.input(rows);
      const Packed p = a.params({double(in.in<int>(0, 3))});
      if (a.affordable()) a.check(factor::entry::factorCovariance(f, rows, K, weights, p, a.output(factor::factorCovarianceLength(K))));
      break;
    }
    case 7: {
      const In e = a.input(n), weights = a.input(rows);
      if (a.affordable()) a.check(factor::entry::specificRisk(e, rows, cols, weights, a.output(factor::specificRiskLength(cols))));
      break;
    }
    case 8: {
      const size_t N = rows, K = cols, P = a.count();
      const In X = a.input(cells(N, K));
      const In cov = a.input(cells(K, K));  // any values: asymmetric, NaN, Infinity
      const In specificVar = a.input(N), weights = a.input(cells(P, N));
      if (a.affordable())
        a.check(factor::entry::riskDecomposition(X, N, K, cov, specificVar, weights, P, a.output(factor::riskDecompositionLength(P, K))));
      break;
    }
  }
}

void allocationEntry(fuzz::Input& in, int which) {
  Args a(in);
  const size_t rows = a.count(), cols = a.count();
  switch (which) {
    case 0: {
      // a batch: covCount and budgetCount 1 or P (or, mutated, neither), the problems shared between threads
      const size_t P = a.count(), covCount = in.in<int>(0, 1) ? P : 1, budgetCount = in.in<int>(0, 1) ? P : a.count();
      const In cov = a.input(cells(covCount, cells(cols, cols)));  // any values: asymmetric, singular, NaN, Infinity
      const In budgets = a.input(cells(budgetCount, cols));
      if (a.affordable())
        a.check(portfolio::entry::riskParity(cov, covCount, cols, budgets, budgetCount, P, a.output(portfolio::riskParityLength(cols, P))));
      break;
    }
    case 1: {
      // the shapes follow the source the entry reads (the packed value, mutated or not); a cov source: a
      // stack of P covariances (their problems shared between threads)
      const Packed p = a.params({double(in.in<int>(0, 4)), double(in.in<int>(0, 2))});
      const double source = p.length == 2 ? p.data[1] : 0;
      const size_t P = source == 1 || source == 2 ? a.count() : 1;
      const size_t r = source == 1 || source == 2 ? cells(P, cols) : rows;
      const In data = a.input(cells(r, cols));
      const In corr = a.input(source == 2 ? cells(r, cols) : 0);
      if (a.affordable()) a.check(portfolio::entry::hrp(data, r, cols, corr, p, a.output(portfolio::hrpLength(cols, P))));
      break;
    }
    case 2: {
      const In cov = a.input(cells(cols, cols));
      const Packed p = a.params({double(in.in<int>(0, 1))});
      if (a.affordable()) a.check(portfolio::entry::nearestPsd(cov, cols, p, a.output(portfolio::nearestPsdLength(cols))));
      break;
    }
    case 3: {
      const In prices = a.input(cells(rows, cols));
      const In benchmark = a.optional(rows);  // any values
      const Packed p =
          a.params({double(in.in<int>(0, 2)), double(in.in<int>(0, 1)), in.flag() ? 500 : in.real(1e-3, 1e4),
                    in.flag() ? 252 : in.real(1e-3, 1e4), in.real(-0.1, 0.1), double(in.in<int>(0, 1)), double(in.in<int>(0, 1))});
      if (a.affordable())
        a.check(portfolio::entry::expectedReturns(prices, rows, cols, benchmark, p, a.output(portfolio::expectedReturnsLength(cols))));
      break;
    }
    case 4: {
      // the covariance test over a stack (any values: asymmetric, indefinite, NaN; the stack shared between
      // threads); a pass writes -1, -1, 0, a failure a covariance and asset in range and a pivot < 0
      const size_t P = a.count();
      const In cov = a.input(cells(P, cells(cols, cols)));
      const Out out = a.output(3);
      if (a.affordable()) {
        const Outcome o = portfolio::entry::checkPsd(cov, P, cols, out);
        a.check(o);
        if (o.ok() && out.data[0] >= 0)
          require(out.data[0] < double(P) && out.data[1] >= 0 && out.data[1] < double(cols) && !(out.data[2] >= 0));
      }
      break;
    }
  }
}

void specialEntry(fuzz::Input& in, int which) {
  Args a(in);
  const In x = a.any(in.in<size_t>(0, 16));
  const Out out = a.output(x.length);
  switch (which) {
    case 0:
      a.check(special::entry::normalCdf(x, out));
      break;
    case 1:
      a.check(special::entry::normalSf(x, out));
      break;
    case 2:
      a.check(special::entry::normalPdf(x, out));
      break;
    case 3:
      a.check(special::entry::normalQuantile(x, out));
      break;
    case 4:
      a.check(special::entry::studentTCdf(x, a.params({in.real(0.1, 50)}), out));
      break;
    case 5:
      a.check(special::entry::studentTQuantile(x, a.params({in.real(0.1, 50)}), out));
      break;
  }
}

void pinEntry(fuzz::Input& in, int which) {
  Args a(in);
  const In buys = a.anyCounts(in.in<size_t>(0, 8));  // its length is the days (0: refused)
  const In sells = a.counts(buys.length);
  if (which == 0) {
    const Packed p = a.params(
        {in.real(0, 1), in.real(0, 1), in.real(0, 1e4), in.flag() ? 0 : in.real(0, 1e4), in.real(0, 1e4), double(in.in<int>(0, 2))});
    a.check(pin::entry::pinLikelihood(buys, sells, p, a.output(1)));
  } else {
    const In sets = a.pinSets();
    const Packed p = a.params({double(in.in<int>(0, 2)), double(in.in<int>(0, 1))});
    a.check(pin::entry::pin(buys, sells, sets, p, a.output(pin::kEstimateLength)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const int family = in.in<int>(0, 4);
  if (family == 0) riskEntry(in, in.in<int>(0, 14));
  if (family == 1) factorEntry(in, in.in<int>(0, 8));
  if (family == 2) specialEntry(in, in.in<int>(0, 5));
  if (family == 3) allocationEntry(in, in.in<int>(0, 4));
  if (family == 4) pinEntry(in, in.in<int>(0, 1));
  return 0;
}
