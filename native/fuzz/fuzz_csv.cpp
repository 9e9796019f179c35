// libFuzzer target of the CSV block parser (native/io/csv.hpp): random bytes (raw, or built from CSV
// tokens: quotes, delimiters, CR/LF, numbers, ISO times, missing tokens, invalid UTF-8) and a random
// plan (delimiter, kinds, required, final, skipBadRows, a small capacity and row offset).
// Invariants: no crash and no sanitizer report (the output columns are exactly `capacity` long: a write
// past them is an ASan report); consumed <= size, at a line break when not final, all of it when final
// and nothing refused; lines = the '\n' bytes consumed; rows fit from rowOffset; nothing written before
// rowOffset, nothing at all with needRows; codes index their dictionary, whose values are valid UTF-8;
// faults quote at most 64 bytes of the block; and the parallel parse (2-4 threads, chunks of a few
// bytes) equals the one-thread parse field for field, fault for fault.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "csv.hpp"
#include "csv_text.hpp"
#include "invariants.hpp"
#include "parallel.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

constexpr const char* kTokens[] = {",",
                                   ",",
                                   ",",
                                   "\"",
                                   "\"",
                                   "\n",
                                   "\n",
                                   "\r\n",
                                   "\r",
                                   " ",
                                   "\t",
                                   ";",
                                   "|",
                                   "0",
                                   "1",
                                   "7",
                                   "42",
                                   "-",
                                   "+",
                                   ".",
                                   "e",
                                   "E",
                                   "1700000000000",
                                   "101.37",
                                   "1e-3",
                                   "-0",
                                   "inf",
                                   "Infinity",
                                   "NA",
                                   "n/a",
                                   "NaN",
                                   "null",
                                   "None",
                                   "abc",
                                   "x",
                                   "2024-02-29",
                                   "T",
                                   " ",
                                   "12:34",
                                   ":56",
                                   ".123456789",
                                   ",5",
                                   "Z",
                                   "+05:30",
                                   "-0800",
                                   "\xC3\xA9",
                                   "\xFF",
                                   "\xE2\x82",
                                   "\xED\xA0\x80",
                                   "\"\"",
                                   "1234567890123456789",
                                   "0000001",
                                   "1970-01-01T00:00:00.0000001Z"};

/// One parse's outcome, copied out of its own output columns (each exactly `capacity` long).
struct Run {
  csv::Result result;
  std::vector<std::vector<double>> f64;
  std::vector<std::vector<int32_t>> i32;
};

constexpr uint64_t kSentinelBits = 0x7ff4'6b62'7573'2121ULL;  // a NaN no parse writes
constexpr int32_t kSentinelCode = -7;

Run parse(const std::vector<uint8_t>& bytes, csv::Plan plan, size_t threads, size_t chunkBytes) {
  Run run;
  run.f64.resize(plan.width);
  run.i32.resize(plan.width);
  std::vector<csv::ColumnOut> out(plan.width);
  double sentinel;
  std::memcpy(&sentinel, &kSentinelBits, sizeof sentinel);
  for (size_t col = 0; col < plan.width; col++) {
    const auto kind = static_cast<csv::Kind>(plan.kinds[col]);
    if (kind == csv::Kind::Text) {
      run.i32[col].assign(plan.capacity, kSentinelCode);
      out[col].i32 = run.i32[col].data();
    } else if (kind != csv::Kind::Skip) {
      run.f64[col].assign(plan.capacity, sentinel);
      out[col].f64 = run.f64[col].data();
    }
  }
  plan.out = out.data();
  plan.chunkBytes = chunkBytes;
  setThreadCount(threads);
  // the block in an allocation of its own size: a read past it is an ASan report
  std::vector<uint8_t> block(bytes);
  run.result = csv::parseBlock(block.empty() ? nullptr : block.data(), block.size(), plan);
  setThreadCount(0);
  return run;
}

bool sameFault(const csv::BlockFault& a, const csv::BlockFault& b) {
  return a.code == b.code && a.line == b.line && a.column == b.column && a.field == b.field && a.textBegin == b.textBegin &&
         a.textEnd == b.textEnd;
}

void checkFault(const csv::BlockFault& f, const std::vector<uint8_t>& bytes, const csv::Plan& plan) {
  require(f.any());
  require(f.textBegin <= f.textEnd && f.textEnd <= bytes.size() && f.textEnd - f.textBegin <= csv::kFaultTextBytes);
  require(f.line >= plan.firstLine && f.column >= 1);
  require(f.code == csv::CsvFault::Width ? f.field != plan.width && f.column == 1
                                         : f.field < plan.width || f.code == csv::CsvFault::UnclosedQuote);
  const std::string quoted = csv::faultText(bytes.data(), f), once = quoted;
  std::string again;
  const auto* q = reinterpret_cast<const uint8_t*>(once.data());
  require(csv::appendUtf8(q, q + once.size(), again) && again == quoted);  // valid UTF-8
}

/// The invariants of one parse.
void check(const Run& run, const std::vector<uint8_t>& bytes, const csv::Plan& plan) {
  const csv::Result& r = run.result;
  require(r.dictionaries.size() == plan.width);
  if (r.needRowsSet) {
    require(r.rows == 0 && r.consumed == 0 && !r.fault.any() && r.badRows == 0);
    require(plan.rowOffset > plan.capacity || r.needRows > plan.capacity - plan.rowOffset);
    for (size_t col = 0; col < plan.width; col++) {
      for (double v : run.f64[col]) require(std::memcmp(&v, &kSentinelBits, 8) == 0);
      for (int32_t c : run.i32[col]) require(c == kSentinelCode);
    }
    return;
  }
  require(r.consumed <= bytes.size());
  require(plan.rowOffset + r.rows <= plan.capacity);
  size_t newlines = 0;
  for (size_t i = 0; i < r.consumed; i++) newlines += bytes[i] == '\n';
  require(r.lines == static_cast<double>(newlines));
  if (r.fault.any()) {
    require(!plan.skipBadRows && r.badRows == 0);
    checkFault(r.fault, bytes, plan);
  } else {
    if (plan.final) require(r.consumed == bytes.size());
    if (!plan.final) require(r.consumed == 0 || bytes[r.consumed - 1] == '\n');
  }
  if (r.badRows > 0) checkFault(r.firstBad, bytes, plan);
  if (!plan.skipBadRows) require(r.badRows == 0);
  for (size_t col = 0; col < plan.width; col++) {
    for (size_t row = 0; row < plan.rowOffset && row < plan.capacity; row++) {
      if (!run.f64[col].empty()) require(std::memcmp(&run.f64[col][row], &kSentinelBits, 8) == 0);
      if (!run.i32[col].empty()) require(run.i32[col][row] == kSentinelCode);
    }
    const auto kind = static_cast<csv::Kind>(plan.kinds[col]);
    if (kind != csv::Kind::Text) {
      require(r.dictionaries[col].empty());
      if (kind != csv::Kind::Skip) {
        for (size_t row = plan.rowOffset; row < plan.rowOffset + r.rows; row++) {
          require(std::memcmp(&run.f64[col][row], &kSentinelBits, 8) != 0);
        }
      }
      continue;
    }
    std::vector<bool> used(r.dictionaries[col].size());
    for (size_t row = plan.rowOffset; row < plan.rowOffset + r.rows; row++) {
      const int32_t code = run.i32[col][row];
      require(code >= -1 && code < static_cast<int32_t>(r.dictionaries[col].size()));
      if (code >= 0) used[code] = true;
    }
    for (size_t i = 0; i < used.size(); i++) {
      require(used[i]);  // every value is some row's
      const std::string& v = r.dictionaries[col][i];
      std::string decoded;
      require(csv::appendUtf8(reinterpret_cast<const uint8_t*>(v.data()), reinterpret_cast<const uint8_t*>(v.data()) + v.size(), decoded));
      for (size_t j = 0; j < i; j++) require(r.dictionaries[col][j] != v);
    }
  }
}

/// The parallel parse equals the sequential one: results, and the rows written.
void requireSame(const Run& a, const Run& b, const csv::Plan& plan) {
  const csv::Result &x = a.result, &y = b.result;
  require(x.rows == y.rows && x.consumed == y.consumed && x.lines == y.lines && x.badRows == y.badRows);
  require(x.needRowsSet == y.needRowsSet && x.needRows == y.needRows);
  require(x.fault.any() == y.fault.any() && (!x.fault.any() || sameFault(x.fault, y.fault)));
  require((x.badRows == 0) || sameFault(x.firstBad, y.firstBad));
  require(x.dictionaries == y.dictionaries);
  for (size_t col = 0; col < plan.width; col++) {
    for (size_t row = plan.rowOffset; row < plan.rowOffset + x.rows; row++) {
      if (!a.f64[col].empty()) require(std::memcmp(&a.f64[col][row], &b.f64[col][row], 8) == 0);
      if (!a.i32[col].empty()) require(a.i32[col][row] == b.i32[col][row]);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  csv::Plan plan;
  static constexpr uint8_t kDelimiters[] = {',', ',', '\t', ';', '|', 'e', '.', '-', '0', 0};
  plan.delimiter = in.ConsumeBool() ? in.PickValueInArray(kDelimiters) : in.ConsumeIntegral<uint8_t>();
  if (plan.delimiter == '"' || plan.delimiter == '\r' || plan.delimiter == '\n' || plan.delimiter == ' ') plan.delimiter = ',';
  plan.width = in.ConsumeIntegralInRange<size_t>(1, 6);
  std::vector<uint8_t> kinds(plan.width), required(plan.width);
  for (size_t col = 0; col < plan.width; col++) {
    kinds[col] = in.ConsumeIntegralInRange<uint8_t>(0, csv::kKindCount - 1);
    required[col] = in.ConsumeBool();
  }
  plan.kinds = kinds.data();
  plan.required = required.data();
  plan.firstLine = in.ConsumeBool() ? 1 : in.ConsumeIntegralInRange<uint32_t>(1, 1u << 30);
  plan.final = in.ConsumeBool();
  plan.skipBadRows = in.ConsumeBool();
  plan.capacity = in.ConsumeIntegralInRange<size_t>(0, 48);
  plan.rowOffset = in.ConsumeIntegralInRange<size_t>(0, plan.capacity + 2);
  const size_t threads = in.ConsumeIntegralInRange<size_t>(2, 4);
  const size_t chunkBytes = in.ConsumeIntegralInRange<size_t>(1, 64);
  std::vector<uint8_t> bytes;
  if (in.ConsumeBool()) {
    bytes = in.ConsumeRemainingBytes<uint8_t>();
  } else {
    while (in.remaining_bytes() > 0 && bytes.size() < 4096) {
      const char* token = in.PickValueInArray(kTokens);
      bytes.insert(bytes.end(), token, token + std::strlen(token));
    }
  }
  const Run one = parse(bytes, plan, 1, 0);
  check(one, bytes, plan);
  const Run many = parse(bytes, plan, threads, chunkBytes);
  check(many, bytes, plan);
  requireSame(one, many, plan);
  return 0;
}
