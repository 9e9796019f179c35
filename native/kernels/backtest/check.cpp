// checkSimulation(): check.hpp.
#include "check.hpp"

#include <cmath>
#include <limits>

namespace kernelbus::backtest {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

template <typename T>
bool shaped(const Flex<T>& f, size_t rows, size_t cols, bool optional) {
  if (optional && f.length() == 0) return true;
  return (f.rows == 1 || f.rows == rows) && (f.cols == 1 || f.cols == cols) && f.rows * f.cols > 0;
}

/// Every value of `f` passes `ok`.
template <typename Ok>
bool all(const Flex<double>& f, Ok ok) {
  for (size_t k = 0; k < f.length(); k++)
    if (!ok(f.data[k])) return false;
  return true;
}

bool code(double x, int n) { return x >= 0 && x < n && std::floor(x) == x; }
bool finiteAtLeast0(double x) { return std::isfinite(x) && x >= 0; }

}  // namespace

bool checkSimulation(const Simulation& s, const int32_t* valueGroups, size_t G, std::string& argument, std::string& expected) {
  const auto fail = [&](const char* a, const char* e) {
    argument = a;
    expected = e;
    return false;
  };
  if (s.kind != kSignals && s.kind != kOrders) return fail("sim.kind", "0 (signals) or 1 (orders)");
  if (s.rows == 0 || s.cols == 0) return fail("sim.rows", "at least one row and one column");
  const size_t T = s.rows, K = s.cols;
  if (!shaped(s.close, T, K, false) || s.close.rows != T) return fail("sim.close", "T rows and 1 or K columns");
  for (const auto& [f, name] : {std::pair{&s.open, "sim.open"}, {&s.high, "sim.high"}, {&s.low, "sim.low"}}) {
    if (f->length() > 0 && (f->rows != T || f->cols != s.close.cols)) {
      argument = name;
      expected = "the shape of sim.close, or empty";
      return false;
    }
  }
  for (const auto& [f, name] : {std::pair{&s.entries, "sim.entries"},
                                {&s.exits, "sim.exits"},
                                {&s.shortEntries, "sim.shortEntries"},
                                {&s.shortExits, "sim.shortExits"}}) {
    if (!shaped(*f, T, K, false)) {
      argument = name;
      expected = "1 or T rows and 1 or K columns";
      return false;
    }
  }
  const std::pair<const Flex<double>*, const char*> perElement[] = {{&s.direction, "sim.direction"},
                                                                    {&s.size, "sim.size"},
                                                                    {&s.sizeType, "sim.sizeType"},
                                                                    {&s.price, "sim.price"},
                                                                    {&s.fees, "sim.fees"},
                                                                    {&s.fixedFees, "sim.fixedFees"},
                                                                    {&s.slippage, "sim.slippage"},
                                                                    {&s.minSize, "sim.minSize"},
                                                                    {&s.accumulate, "sim.accumulate"},
                                                                    {&s.uponOppositeEntry, "sim.uponOppositeEntry"},
                                                                    {&s.slStop, "sim.slStop"},
                                                                    {&s.slTrail, "sim.slTrail"},
                                                                    {&s.tpStop, "sim.tpStop"}};
  for (const auto& [f, name] : perElement) {
    if (!shaped(*f, T, K, false)) {
      argument = name;
      expected = "1 or T rows and 1 or K columns";
      return false;
    }
  }
  if (!all(s.direction, [](double x) { return code(x, 3); })) return fail("sim.direction", "codes 0, 1, 2");
  if (!all(s.sizeType, [&](double x) { return code(x, s.kind == kSignals ? 3 : 6); })) return fail("sim.sizeType", "a size type code");
  if (!all(s.accumulate, [](double x) { return code(x, 4); })) return fail("sim.accumulate", "codes 0 .. 3");
  if (!all(s.uponOppositeEntry, [](double x) { return code(x, 5); })) return fail("sim.uponOppositeEntry", "codes 0 .. 4");
  if (!all(s.slTrail, [](double x) { return x == 0 || x == 1; })) return fail("sim.slTrail", "0 or 1");
  if (!all(s.fees, finiteAtLeast0)) return fail("sim.fees", "finite fractions >= 0");
  if (!all(s.fixedFees, finiteAtLeast0)) return fail("sim.fixedFees", "finite amounts >= 0");
  if (!all(s.slippage, finiteAtLeast0)) return fail("sim.slippage", "finite fractions >= 0");
  if (!all(s.minSize, finiteAtLeast0)) return fail("sim.minSize", "finite sizes >= 0");
  if (!all(s.price, [](double x) { return x == -kInfinity || !(x <= 0); })) return fail("sim.price", "prices > 0, +-Infinity or NaN");
  const auto stop = [](double x) { return std::isnan(x) || (x >= 0 && std::isfinite(x)); };
  if (!all(s.slStop, stop) || !all(s.tpStop, stop)) return fail("sim.slStop", "fractions >= 0 or NaN");
  if (s.kind == kSignals && !all(s.size, [](double x) { return std::isnan(x) || x >= 0; })) return fail("sim.size", "sizes >= 0 or NaN");
  // cash groups: each >= 1 column, summing to K, finite initial cash >= 0
  size_t cols = 0;
  for (size_t g = 0; g < s.groups; g++) {
    if (s.groupLens[g] < 1) return fail("sim.groupLens", "counts >= 1 summing to cols");
    cols += size_t(s.groupLens[g]);
    if (!finiteAtLeast0(s.initCash[g])) return fail("sim.initCash", "finite amounts >= 0");
  }
  if (cols != K) return fail("sim.groupLens", "counts >= 1 summing to cols");
  // value groups: each a run of whole cash groups
  size_t col = 0, cashGroup = 0;
  for (size_t g = 0; g < G; g++) {
    if (valueGroups[g] < 1) return fail("valueGroups", "counts >= 1 summing to cols, each of whole cash groups");
    const size_t end = col + size_t(valueGroups[g]);
    while (col < end && cashGroup < s.groups) col += size_t(s.groupLens[cashGroup++]);
    if (col != end) return fail("valueGroups", "counts >= 1 summing to cols, each of whole cash groups");
  }
  if (col != K) return fail("valueGroups", "counts >= 1 summing to cols, each of whole cash groups");
  return true;
}

namespace {

/// The rules a series' and a stats' input share: shapes, groups, and the records' columns and rows in range.
bool checkRecordsInput(size_t rows, size_t cols, const Flex<double>& close, const int32_t* groupLens, size_t groups, size_t orderCount,
                       const double* col, const double* idx, std::string& argument, std::string& expected) {
  const auto fail = [&](const char* a, const char* e) {
    argument = a;
    expected = e;
    return false;
  };
  if (rows == 0 || cols == 0) return fail("input.rows", "at least one row and one column");
  if (close.rows != rows || (close.cols != 1 && close.cols != cols) || close.length() == 0) {
    return fail("input.close", "T rows and 1 or K columns");
  }
  size_t total = 0;
  for (size_t g = 0; g < groups; g++) {
    if (groupLens[g] < 1) return fail("input.groupLens", "counts >= 1 summing to cols");
    total += size_t(groupLens[g]);
  }
  if (total != cols) return fail("input.groupLens", "counts >= 1 summing to cols");
  for (size_t r = 0; r < orderCount; r++) {
    if (!(col[r] >= 0 && col[r] < double(cols) && std::floor(col[r]) == col[r])) return fail("input.orders.col", "column indices");
    if (!(idx[r] >= 0 && idx[r] < double(rows) && std::floor(idx[r]) == idx[r])) return fail("input.orders.idx", "row indices");
  }
  return true;
}

}  // namespace

bool checkSeries(const SeriesInput& in, std::string& argument, std::string& expected) {
  return checkRecordsInput(in.rows, in.cols, in.close, in.groupLens, in.groups, in.orderCount, in.col, in.idx, argument, expected);
}

bool checkStats(const StatsInput& in, std::string& argument, std::string& expected) {
  if (!checkRecordsInput(in.rows, in.cols, in.close, in.groupLens, in.groups, in.orderCount, in.col, in.idx, argument, expected))
    return false;
  if (in.valueLength != 0 && in.valueLength != in.rows * in.groups) {
    argument = "input.value";
    expected = "rows x groups values, or none (made from the records where a field reads it)";
    return false;
  }
  for (size_t r = 0; r < in.tradeCount; r++) {
    if (!(in.tradeCol[r] >= 0 && in.tradeCol[r] < double(in.cols) && std::floor(in.tradeCol[r]) == in.tradeCol[r])) {
      argument = "input.trades.col";
      expected = "column indices";
      return false;
    }
  }
  return true;
}

}  // namespace kernelbus::backtest
