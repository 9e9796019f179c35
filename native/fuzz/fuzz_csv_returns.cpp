// libFuzzer target of the wide returns reader (native/io/csv_returns.hpp): bytes built from CSV and
// date tokens (or raw) and a random plan (width, date column or none, delimiter, skipBadRows, the
// parallel split's chunk size and thread count).
// Invariants: no crash and no sanitizer report (the matrix is exactly the counted rows x assets: a
// write past it is an ASan report); allocate is called once; rows <= the count; without a fault, the
// matrix equals the block parser's column-major parse of the same records (csv.hpp, stride 1) with
// its rows put in the stable order of their dates when every date value parses (parseDate), and the
// dates are then ascending; and the parallel read (2-4 threads, chunks of a few bytes) equals the
// one-thread read bit for bit, fault for fault.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "csv.hpp"
#include "csv_returns.hpp"
#include "invariants.hpp"
#include "parallel.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

constexpr const char* kTokens[] = {",",      ",",        ",",   "\n",   "\n",         "\r\n",          "\"",         "\"\"",
                                   " ",      ";",        "\t",  "0.01", "-0.02",      "1e-3",          "NaN",        "NA",
                                   "",       "x",        "-0",  "inf",  "2024-01-02", "2024-01-03",    "2023-12-29", "2024-02-30",
                                   "T10:00", ":30",      ".5",  "Z",    "+05:30",     "1700000000000", "17",         "d1",
                                   "d2",     "\xC3\xA9", "\xFF"};

/// One read's outcome, copied out of its matrix.
struct Run {
  csv::WideResult wide;
  std::vector<double> matrix;
  size_t allocations = 0;
  size_t counted = 0;
};

Run read(const std::vector<uint8_t>& bytes, const csv::WidePlan& plan, size_t threads) {
  Run run;
  const size_t assets = plan.width - (plan.dateColumn < plan.width ? 1 : 0);
  setThreadCount(threads);
  std::vector<uint8_t> block(bytes);  // an allocation of its own size: a read past it is an ASan report
  run.wide = csv::readWide(block.empty() ? nullptr : block.data(), block.size(), plan, [&](size_t rows) {
    run.allocations++;
    run.counted = rows;
    run.matrix.assign(rows * assets, 0.0);
    return run.matrix.empty() ? nullptr : run.matrix.data();
  });
  setThreadCount(0);
  return run;
}

bool sameFault(const csv::BlockFault& a, const csv::BlockFault& b) {
  return a.code == b.code && a.line == b.line && a.column == b.column && a.field == b.field && a.textBegin == b.textBegin &&
         a.textEnd == b.textEnd;
}

/// The matrix is the column-major parse of the same records, rows in date order when the dates parse.
void checkAgainstColumns(const Run& run, const std::vector<uint8_t>& bytes, const csv::WidePlan& wide) {
  const bool dated = wide.dateColumn < wide.width;
  const size_t assets = wide.width - (dated ? 1 : 0);
  std::vector<uint8_t> kinds(wide.width, static_cast<uint8_t>(csv::Kind::Number)), required(wide.width, 0);
  std::vector<std::vector<double>> f64(wide.width, std::vector<double>(run.counted));
  std::vector<int32_t> codes(run.counted);
  std::vector<csv::ColumnOut> out(wide.width);
  for (size_t col = 0; col < wide.width; col++) {
    if (dated && col == wide.dateColumn) {
      kinds[col] = static_cast<uint8_t>(csv::Kind::Text);
      required[col] = 1;
      out[col].i32 = codes.data();
    } else {
      out[col].f64 = f64[col].data();
    }
  }
  csv::Plan plan;
  plan.delimiter = wide.delimiter;
  plan.kinds = kinds.data();
  plan.required = required.data();
  plan.width = wide.width;
  plan.firstLine = wide.firstLine;
  plan.skipBadRows = wide.skipBadRows;
  plan.out = out.data();
  plan.capacity = run.counted;
  const csv::Result r = csv::parseBlock(bytes.empty() ? nullptr : bytes.data(), bytes.size(), plan);
  require(!r.fault.any() && !r.needRowsSet && r.rows == run.wide.rows && r.badRows == run.wide.block.badRows);
  const size_t rows = r.rows;
  std::vector<size_t> order(rows);
  std::iota(order.begin(), order.end(), size_t{0});
  bool parsed = dated;
  std::vector<double> dates(rows);
  for (size_t t = 0; t < rows && parsed; t++) {
    const std::string& v = r.dictionaries[wide.dateColumn][static_cast<size_t>(codes[t])];
    const auto* p = reinterpret_cast<const uint8_t*>(v.data());
    parsed = csv::parseDate(p, p + v.size(), dates[t]);
  }
  // a dictionary value no row uses cannot be: every value is some row's, so `parsed` is the column's
  require(parsed == run.wide.datesParsed);
  if (parsed) {
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return dates[a] < dates[b]; });
    require(run.wide.dates.size() == rows);
    for (size_t t = 0; t < rows; t++) {
      require(std::memcmp(&run.wide.dates[t], &dates[order[t]], sizeof(double)) == 0);
      require(t == 0 || !(run.wide.dates[t] < run.wide.dates[t - 1]));
    }
  }
  for (size_t t = 0; t < rows; t++) {
    for (size_t col = 0, asset = 0; col < wide.width; col++) {
      if (dated && col == wide.dateColumn) continue;
      require(std::memcmp(&run.matrix[t * assets + asset++], &f64[col][order[t]], sizeof(double)) == 0);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  csv::WidePlan plan;
  plan.width = in.ConsumeIntegralInRange<size_t>(1, 6);
  plan.dateColumn = in.ConsumeBool() ? in.ConsumeIntegralInRange<size_t>(0, plan.width - 1) : csv::WidePlan::kNoColumn;
  plan.delimiter = static_cast<uint8_t>(in.PickValueInArray({',', ',', ';', '\t', '|'}));
  plan.skipBadRows = in.ConsumeBool();
  plan.firstLine = static_cast<double>(in.ConsumeIntegralInRange<int>(1, 3));
  const size_t chunkBytes = in.ConsumeIntegralInRange<size_t>(1, 64);
  const size_t threads = in.ConsumeIntegralInRange<size_t>(2, 4);
  std::vector<uint8_t> bytes;
  if (in.ConsumeBool()) {
    const std::string raw = in.ConsumeRemainingBytesAsString();
    bytes.assign(raw.begin(), raw.end());
  } else {
    while (in.remaining_bytes() > 0 && bytes.size() < 4096) {
      const char* t = in.PickValueInArray(kTokens);
      bytes.insert(bytes.end(), t, t + std::strlen(t));
    }
  }

  const Run one = read(bytes, plan, 1);
  require(one.allocations == 1 && one.wide.rows <= one.counted);
  require(one.wide.block.fault.any() || one.wide.rows + one.wide.block.badRows == one.counted);
  if (!one.wide.block.fault.any()) checkAgainstColumns(one, bytes, plan);

  plan.chunkBytes = chunkBytes;
  const Run many = read(bytes, plan, threads);
  const csv::Result &x = one.wide.block, &y = many.wide.block;
  require(one.counted == many.counted && one.wide.rows == many.wide.rows && x.consumed == y.consumed && x.lines == y.lines);
  require(x.badRows == y.badRows && (x.badRows == 0 || sameFault(x.firstBad, y.firstBad)));
  require(x.fault.any() == y.fault.any() && (!x.fault.any() || sameFault(x.fault, y.fault)));
  if (!x.fault.any()) {
    require(one.wide.datesParsed == many.wide.datesParsed && fuzz::sameBits(one.wide.dates, many.wide.dates));
    const size_t cells = one.wide.rows * (plan.width - (plan.dateColumn < plan.width ? 1 : 0));
    require(cells == 0 || std::memcmp(one.matrix.data(), many.matrix.data(), cells * sizeof(double)) == 0);
  }
  return 0;
}
