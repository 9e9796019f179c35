// A wide returns file in one pass of the block parser (csv_returns.hpp).
#include "csv_returns.hpp"

#include <algorithm>
#include <numeric>

#include "csv_number.hpp"
#include "csv_time.hpp"
#include "memory.hpp"

namespace kernelbus::csv {
namespace {

/// `[+-]?digits(.digits)?`: the plain numbers a date column may hold.
bool isPlainNumber(const uint8_t* b, const uint8_t* e) {
  if (b < e && (*b == '+' || *b == '-')) b++;
  const uint8_t* digits = b;
  while (b < e && isDigit(*b)) b++;
  if (b == digits) return false;
  if (b == e) return true;
  if (*b++ != '.' || b == e) return false;
  while (b < e && isDigit(*b)) b++;
  return b == e;
}

/// Moves the matrix's rows so that row t holds the row that was at order[t] (a permutation), through
/// one row of scratch: each cycle of the permutation is followed once.
void permuteRows(double* data, size_t cols, const std::vector<size_t>& order) {
  std::vector<double> held(cols);
  std::vector<bool> done(order.size());
  for (size_t start = 0; start < order.size(); start++) {
    if (done[start] || order[start] == start) continue;
    std::copy(data + start * cols, data + (start + 1) * cols, held.begin());
    size_t t = start;
    for (;;) {
      done[t] = true;
      const size_t from = order[t];
      if (from == start) {
        std::copy(held.begin(), held.end(), data + t * cols);
        break;
      }
      std::copy(data + from * cols, data + (from + 1) * cols, data + t * cols);
      t = from;
    }
  }
}

}  // namespace

bool parseDate(const uint8_t* b, const uint8_t* e, double& out) {
  if (isPlainNumber(b, e)) return parseNumber(b, e, out);
  return parseIso(b, e, out);
}

WideResult readWide(const uint8_t* bytes, size_t size, const WidePlan& wide, const std::function<double*(size_t rows)>& allocate) {
  WideResult w;
  const bool dated = wide.dateColumn < wide.width;
  const size_t cols = wide.width - (dated ? 1 : 0);
  std::vector<uint8_t> kinds(wide.width, static_cast<uint8_t>(Kind::Number));
  std::vector<uint8_t> required(wide.width, 0);
  if (dated) {
    kinds[wide.dateColumn] = static_cast<uint8_t>(Kind::Text);
    required[wide.dateColumn] = 1;
  }
  std::vector<ColumnOut> out(wide.width);
  Plan plan;
  plan.delimiter = wide.delimiter;
  plan.kinds = kinds.data();
  plan.required = required.data();
  plan.width = wide.width;
  plan.firstLine = wide.firstLine;
  plan.skipBadRows = wide.skipBadRows;
  plan.chunkBytes = wide.chunkBytes;
  plan.out = out.data();

  // pass 1 alone (no room yet): the record count, then the matrix for that many rows
  plan.capacity = 0;
  Result counted = parseBlock(bytes, size, plan);
  const size_t records = counted.needRowsSet ? counted.needRows : 0;
  double* matrix = allocate(records);
  std::vector<int32_t> codes(dated ? records : 0);
  if (records > 0) {
    adviseHugePages(matrix, records * cols * sizeof(double));
    for (size_t col = 0, asset = 0; col < wide.width; col++) {
      if (dated && col == wide.dateColumn) {
        out[col].i32 = codes.data();
      } else {
        out[col].f64 = matrix + asset++;
        out[col].stride = cols;
      }
    }
    plan.capacity = records;
    counted = parseBlock(bytes, size, plan);
  }
  w.block = std::move(counted);
  if (w.block.fault.any()) return w;
  w.rows = w.block.rows;
  if (!dated) return w;

  // the dates: each distinct value parsed once; all of them dates, or none is used
  const std::vector<std::string>& values = w.block.dictionaries[wide.dateColumn];
  std::vector<double> byCode(values.size());
  for (size_t c = 0; c < values.size(); c++) {
    const auto* v = reinterpret_cast<const uint8_t*>(values[c].data());
    if (!parseDate(v, v + values[c].size(), byCode[c])) return w;
  }
  w.datesParsed = true;
  w.dates.resize(w.rows);
  for (size_t t = 0; t < w.rows; t++) w.dates[t] = byCode[static_cast<size_t>(codes[t])];
  bool ascending = true;
  for (size_t t = 1; t < w.rows && ascending; t++) ascending = !(w.dates[t] < w.dates[t - 1]);
  if (ascending) return w;
  std::vector<size_t> order(w.rows);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return w.dates[a] < w.dates[b]; });
  permuteRows(matrix, cols, order);
  std::vector<double> sorted(w.rows);
  for (size_t t = 0; t < w.rows; t++) sorted[t] = w.dates[order[t]];
  w.dates = std::move(sorted);
  return w;
}

}  // namespace kernelbus::csv
