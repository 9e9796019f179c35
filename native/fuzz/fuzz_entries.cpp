// libFuzzer target of the kernel entries (native/kernels/*_entry.hpp): what the addon calls, with the
// arguments a JS caller can pass once the binding has checked their kinds: arbitrary counts (small, or
// huge enough to overflow a size), arrays of arbitrary lengths (each allocated at exactly its length,
// so that a read or write past it is an ASan report) holding arbitrary values (an asymmetric or
// non-finite covariance among them: the binding no longer scans it), and packed parameters valid or
// with one value replaced by anything, or of the wrong count.
// The VPIN family's entries (vpin_entry.hpp) get trades mostly valid, labels present or not, frame
// bodies of any byte count at odd offsets; the features family's bars (features_entry.hpp) trades
// mostly valid and parameters in range or not; the labeling family's generated entries (arbitrary
// series, events and counts: fuzz_labeling.cpp draws valid ones), the margin family's and the ml family's
// (its packed models random arrays: checkModel refuses them, a fuzz_* target of its own will mutate valid ones).
// Invariants: no crash, no sanitizer report; an entry succeeds only when every array has the length
// its counts say (the layouts of risk.hpp and factor.hpp; the trades' columns, labels and frame
// bodies), and labels are given exactly under the labels classifier; a wrong parameter count is
// ParamInvalid at index = the count expected; a counted entry's fill() writes every row of its columns.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <vector>

#include "args.hpp"
#include "calls.hpp"
#include "factor/factor_entry.hpp"
#include "features/features_entry.hpp"
#include "features/realized_entry.hpp"
#include "generated/features_fuzz.hpp"
#include "generated/labeling_fuzz.hpp"
#include "generated/margin_fuzz.hpp"
#include "generated/ml_fuzz.hpp"
#include "vpin/pin_entry.hpp"
#include "portfolio/portfolio_alloc_entry.hpp"
#include "generated/factor_fuzz.hpp"
#include "generated/portfolio_fuzz.hpp"
#include "generated/risk_fuzz.hpp"
#include "generated/indicators_fuzz.hpp"
#include "generated/special_fuzz.hpp"
#include "risk/risk_analytics_entry.hpp"
#include "vpin/vpin_entry.hpp"

using namespace kernelbus;
using kernelbus::fuzz::Args;
using kernelbus::fuzz::require;

namespace {

/// The integer in [1, max] the entry reads at params[i], else `chosen` (the harness's value): params()
/// may replace a value by another the entry accepts, and an output's expected length must follow it.
size_t paramInteger(const Packed& p, size_t i, size_t chosen, double max) {
  if (p.length <= i) return chosen;
  const double v = p.data[i];
  return v >= 1 && v <= max && v == std::floor(v) ? static_cast<size_t>(v) : chosen;
}

/// The risk family: its generated cases (native/fuzz/generated/risk_fuzz.hpp), and rolling's, whose
/// layout (the statistics a mask chooses) is not data.
void riskEntry(fuzz::Input& in) {
  constexpr size_t kGenerated = std::size(risk::fuzzing::kCases);
  Args a(in);
  const size_t which = in.in<size_t>(0, kGenerated);
  if (which < kGenerated) return risk::fuzzing::kCases[which].run(a, in);
  const size_t rows = a.count(), cols = a.count();
  const In returns = a.input(cells(rows, cols));
  const unsigned stats = in.in<int>(1, 1023);
  const In benchmark = a.input(rows);  // any values (the API passes NaN for none, refuses an infinite one)
  const Packed p = a.params(
      {double(in.in<int>(2, 70)), double(stats), in.flag() ? 252 : in.real(1e-3, 1e4), in.real(-0.1, 0.1), in.real(1e-9, 1 - 1e-9)});
  const auto read = static_cast<unsigned>(paramInteger(p, 1, stats, 1023));  // the mask the entry reads
  if (a.affordable()) a.check(risk::entry::rolling(returns, rows, cols, benchmark, p, a.output(risk::rollingLength(rows, cols, read))));
}

/// The factor family: its generated cases (winsorize, standardize, size, value, riskDecomposition:
/// native/fuzz/generated/factor_fuzz.hpp), then the kernels whose entries are written by hand.
void factorEntry(fuzz::Input& in, int which) {
  Args a(in);
  if (which < 0) return factor::fuzzing::kCases[static_cast<size_t>(-which - 1) % std::size(factor::fuzzing::kCases)].run(a, in);
  const size_t rows = a.count(), cols = a.count();
  const size_t n = cells(rows, cols);
  static constexpr int kHand[] = {3, 5, 6, 7};  // momentum, factorReturns, factorCovariance, specificRisk
  switch (kHand[which]) {
    case 3: {
      const In r = a.input(n);
      const In weights = a.any(in.in<size_t>(0, 4));  // any count: window >= 1 is the entry's check
      const Packed p = a.params({double(in.in<int>(0, 3)), 0.05});
      if (a.affordable()) a.check(factor::entry::momentum(r, rows, cols, weights, p, a.output(factor::panelLength(rows, cols))));
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
    case 2:  // the generated cases: nearestPsd, checkPsd (native/fuzz/generated/portfolio_fuzz.hpp)
      portfolio::fuzzing::kCases[in.in<size_t>(0, std::size(portfolio::fuzzing::kCases) - 1)].run(a, in);
      break;
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
        const Outcome o = portfolio::entry::checkPsd<>(cov, P, cols, out);
        a.check(o);
        if (o.ok() && out.data[0] >= 0)
          require(out.data[0] < double(P) && out.data[1] >= 0 && out.data[1] < double(cols) && !(out.data[2] >= 0));
      }
      break;
    }
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

/// A counted entry's second pass (vpin_entry.hpp): once count() succeeded, fill() writes every row of
/// every column, allocated at exactly rows() values each (a write past one is an ASan report).
template <typename Entry>
void fillAll(Entry& entry, const Outcome& counted) {
  if (!counted.ok()) return;
  constexpr size_t kColumns = std::size(Entry::kColumns);
  std::vector<std::vector<double>> columns(kColumns, fuzz::unwritten(entry.rows()));
  double* data[kColumns];
  for (size_t k = 0; k < kColumns; k++) data[k] = columns[k].data();
  entry.fill(Columns{data, entry.rows()});
  for (const std::vector<double>& column : columns) {
    for (double x : column) require(!fuzz::isUnwritten(x));
  }
}

/// The VPIN family's entries (vpin_entry.hpp), over trades mostly valid (input.hpp's) so that the
/// counted ones reach their second pass.
void vpinEntry(fuzz::Input& in, int which) {
  Args a(in);
  const double barMs = in.flag() ? 1000 : in.real(1, 1e5);
  const fuzz::Trades t = in.trades(barMs, 64);
  const size_t n = t.size();
  switch (which) {
    case 0:
      a.check(vpin::entry::tickRule(a.keep(t.price), a.signs(n)));
      break;
    case 1: {
      const In ts = a.keep(t.ts), price = a.take(t.price, n), bid = a.input(n), ask = a.input(n);
      const Packed p = a.params({double(in.in<int>(0, 8)), double(in.in<int>(0, 1)), in.flag() ? 0 : in.real(0, 5000), 0});
      a.check(vpin::entry::classifyTrades(ts, price, bid, ask, p, a.signs(n)));
      break;
    }
    case 2: {
      const In ts = a.keep(t.ts), price = a.take(t.price, n);
      const size_t m = in.in<size_t>(0, 16);
      const In quoteTs = a.any(m), bid = a.input(m), ask = a.input(m);
      const Packed p = a.params({double(in.in<int>(0, 8)), double(in.in<int>(0, 1)), in.flag() ? 0 : in.real(0, 5000), 0});
      a.check(vpin::entry::classifyQuotes(ts, price, quoteTs, bid, ask, p, a.signs(n)));
      break;
    }
    case 3: {
      const In open = a.any(n), close = a.input(n), volume = a.take(t.volume, n);
      vpin::Params c;
      in.classifyParams(c, false);
      const std::vector<double> all = fuzz::packParams(c);
      const Packed p = a.params(std::vector<double>(all.begin() + vpin::kClassifyOffset, all.end()));
      a.check(vpin::entry::bulkClassify<>(open, close, volume, p, a.output(n)));
      break;
    }
    case 4: {
      vpin::entry::TimeBars bars;
      const In ts = a.keep(t.ts), price = a.take(t.price, n), volume = a.take(t.volume, n);
      const Outcome o = bars.count(ts, price, volume, in.flag() ? barMs : in.anyDouble());
      a.check(o);
      fillAll(bars, o);
      break;
    }
    default: {
      vpin::Params vp = in.vpinParams(false);
      vp.barMs = barMs;
      if (in.in<int>(0, 3) == 0) vp.classifier = 2;
      vp.bucketVolume = in.flag() ? in.real(1, 5000) : vp.bucketVolume;  // buckets to write, mostly
      const Packed p = a.params(fuzz::packParams(vp));
      const bool wanted = p.length > 3 && p.data[3] == 2;
      // as fuzz_vpin: no call whose buckets cost more than a fuzzer's time (the volumes it will read)
      auto costly = [&](const std::vector<double>& volumes) {
        const double v = p.length > 0 && p.data[0] > 0 ? p.data[0] : vp.bucketVolume;
        const int64_t w = p.length > 1 && p.data[1] >= 1 && p.data[1] <= 1e6 ? static_cast<int64_t>(p.data[1]) : vp.window;
        return fuzz::bucketBudget(volumes, v, w) == fuzz::Budget::TooCostly;
      };
      if (which == 5) {
        if (costly(t.volume)) return;
        vpin::entry::Vpin entry;
        const In ts = a.keep(t.ts), price = a.take(t.price, n), volume = a.take(t.volume, n);
        const Outcome o = entry.count(ts, price, volume, p, a.labels(wanted, n));
        a.check(o);
        fillAll(entry, o);
      } else {
        // the frame body (ts | price | volume), mostly 24 bytes a row, at an odd offset of an allocation
        // that ends with it (a read past it is an ASan report)
        std::vector<unsigned char> frame(24 * n);
        if (n > 0) {
          std::memcpy(frame.data(), t.ts.data(), 8 * n);
          std::memcpy(frame.data() + 8 * n, t.price.data(), 8 * n);
          std::memcpy(frame.data() + 16 * n, t.volume.data(), 8 * n);
        }
        const size_t offset = in.in<size_t>(0, 7);
        const size_t bytes = in.in<int>(0, 7) == 0 ? in.in<size_t>(0, 24 * n) : 24 * n;
        std::vector<unsigned char> body(offset + bytes);
        if (bytes > 0) std::memcpy(body.data() + offset, frame.data(), bytes);
        const size_t rows = in.in<int>(0, 15) == 0 ? in.in<size_t>(0, 2 * n + 2) : n;
        if (bytes != 24 * rows) a.refused();
        std::vector<double> volumes(bytes == 24 * rows ? rows : 0);
        if (!volumes.empty()) std::memcpy(volumes.data(), body.data() + offset + 16 * rows, 8 * rows);
        if (costly(volumes)) return;
        vpin::entry::VpinBytes entry;
        const Outcome o = entry.count(Bytes{body.data() + offset, bytes}, rows, p, a.labels(wanted, rows));
        a.check(o);
        fillAll(entry, o);
      }
    }
  }
}

/// The features family's entries (features_entry.hpp): bars over trades mostly valid, the parameters in
/// range (bars that close) or anything.
void featuresEntry(fuzz::Input& in, int which) {
  Args a(in);
  const fuzz::Trades t = in.trades(1000, 64);
  const size_t n = t.size();
  const In ts = a.keep(t.ts), price = a.take(t.price, n), volume = a.take(t.volume, n);
  const double by = in.in<int>(0, 2);
  if (which == 0) {
    features::entry::Bars entry;
    const Outcome o = entry.count(ts, price, volume, a.params({by, in.flag() ? in.real(1, 5000) : in.anyDouble()}));
    a.check(o);
    fillAll(entry, o);
    return;
  }
  const double kind = in.in<int>(0, 1), prev = in.in<int>(1, 8), window = in.in<int>(1, 200), init = in.real(1, 50);
  const double lo = in.real(0, 5), hi = in.flag() ? INFINITY : in.real(5, 100);
  const Packed p = a.params({by, kind, prev, window, init, lo, hi});
  if (which == 1) {
    features::entry::ImbalanceBars entry;
    const Outcome o = entry.count(ts, price, volume, p);
    a.check(o);
    fillAll(entry, o);
  } else {
    features::entry::RunBars entry;
    const Outcome o = entry.count(ts, price, volume, p);
    a.check(o);
    fillAll(entry, o);
  }
}

/// A realized measure's counted entry over trades mostly valid (a day's worth or several: ts spread by
/// `scale`), the session whole, a window or anything, then its fill().
template <typename Entry>
void realizedCase(Args& a, fuzz::Input& in, const In& ts, const In& price, std::initializer_list<double> extra) {
  const bool whole = in.flag();
  std::vector<double> values = {in.flag() ? 0 : in.real(-5e7, 5e7), whole ? 0 : in.real(0, 4e7), whole ? 86400000 : in.real(4e7, 86400000)};
  values.insert(values.end(), extra);
  Entry entry;
  const Outcome o = entry.count(ts, price, a.params(values));
  a.check(o);
  fillAll(entry, o);
}

/// The realized measures (realized_entry.hpp), then the family's generated cases (har, the bar
/// estimators: native/fuzz/generated/features_fuzz.hpp).
void realizedEntry(fuzz::Input& in, int which) {
  Args a(in);
  if (which == 7) return features::fuzzing::kCases[in.in<size_t>(0, std::size(features::fuzzing::kCases) - 1)].run(a, in);
  const fuzz::Trades t = in.trades(1000, 64);
  const size_t n = t.size();
  std::vector<double> ts = t.ts;
  const double scale = in.flag() ? 1 : in.real(1, 1e6);  // spread the times over days
  for (double& x : ts) x *= scale;
  const In tsIn = a.keep(ts), price = a.take(t.price, n);
  using namespace features::entry;  // NOLINT: the entries, one case each
  switch (which) {
    case 0:
      return realizedCase<RealizedVariance>(a, in, tsIn, price, {});
    case 1:
      return realizedCase<BipowerVariation>(a, in, tsIn, price, {});
    case 2:
      return realizedCase<MedRv>(a, in, tsIn, price, {});
    case 3:
      return realizedCase<MinRv>(a, in, tsIn, price, {});
    case 4:
      return realizedCase<RealizedSemivariance>(a, in, tsIn, price, {});
    case 5:
      return realizedCase<TwoScaleRv>(a, in, tsIn, price, {double(in.in<int>(1, 40)), double(in.in<int>(1, 40))});
    default:
      return realizedCase<RealizedKernel>(a, in, tsIn, price, {double(in.in<int>(0, 11)), double(in.in<int>(0, 64)), double(in.flag())});
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const int family = in.in<int>(0, 11);
  if (family == 0) riskEntry(in);
  if (family == 1) factorEntry(in, in.in<int>(-5, 3));
  if (family == 2) {
    Args a(in);
    special::fuzzing::kCases[in.in<size_t>(0, std::size(special::fuzzing::kCases) - 1)].run(a, in);
  }
  if (family == 3) allocationEntry(in, in.in<int>(0, 4));
  if (family == 4) pinEntry(in, in.in<int>(0, 1));
  if (family == 5) vpinEntry(in, in.in<int>(0, 6));
  if (family == 6) featuresEntry(in, in.in<int>(0, 2));
  if (family == 8) realizedEntry(in, in.in<int>(0, 7));
  if (family == 7) {
    Args a(in);
    indicators::fuzzing::kCases[in.in<size_t>(0, std::size(indicators::fuzzing::kCases) - 1)].run(a, in);
  }
  if (family == 9) {
    Args a(in);
    labeling::fuzzing::kCases[in.in<size_t>(0, std::size(labeling::fuzzing::kCases) - 1)].run(a, in);
  }
  if (family == 10) {
    Args a(in);
    margin::fuzzing::kCases[in.in<size_t>(0, std::size(margin::fuzzing::kCases) - 1)].run(a, in);
  }
  if (family == 11) {
    Args a(in);
    ml::fuzzing::kCases[in.in<size_t>(0, std::size(ml::fuzzing::kCases) - 1)].run(a, in);
  }
  return 0;
}
