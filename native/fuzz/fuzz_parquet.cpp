// libFuzzer target of the native Parquet reader (native/io/parquet.hpp): the input is a whole file.
// readFooter() must return Ok, Corrupt or Unsupported (never crash, hang or read out of bounds); on Ok,
// decodeColumns() of every decodable column likewise, and on success its text codes must index their
// dictionaries. Seeds: native/fuzz/seeds/fuzz_parquet/ (small files of test/fixtures/parquet, made by
// pyarrow; arrow-schema-times.parquet by parquet-wasm, with an Arrow timestamp[s] and a kernelbus float
// time in its ARROW:schema), so that mutations start from real footers and pages of every codec and
// encoding. Number columns are read as epoch times in a unit the input's last byte picks (parquet.hpp
// EpochUnit), so the scaling after the decode runs too.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "invariants.hpp"
#include "parallel.hpp"
#include "parquet.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  setThreadCount(2);  // the task queue shared by two threads, as on the machines it runs on
  parquet::Footer footer;
  const parquet::Result r = parquet::readFooter(data, size, footer);
  require(r.code == parquet::Result::Ok || !r.message.empty());
  if (r.code != parquet::Result::Ok) return 0;
  // outputs for every decodable column, within the fuzzer's memory (a footer may claim any row count)
  if (footer.rows > (1 << 20) || static_cast<uint64_t>(footer.rows) * footer.columns.size() > (uint64_t{1} << 22)) return 0;
  const size_t rows = static_cast<size_t>(footer.rows);
  std::vector<std::vector<double>> numbers;
  std::vector<std::vector<int32_t>> codes;
  std::vector<parquet::ColumnOut> outs;
  numbers.reserve(footer.columns.size());
  codes.reserve(footer.columns.size());
  for (size_t c = 0; c < footer.columns.size(); c++) {
    if (!footer.columns[c].unsupported.empty()) continue;
    parquet::ColumnOut out;
    out.column = static_cast<int>(c);
    out.length = rows;
    if (footer.columns[c].kind == parquet::Kind::Text) {
      codes.emplace_back(rows, -2);
      out.codes = codes.back().data();
    } else {
      numbers.emplace_back(rows, 0.0);
      out.numbers = numbers.back().data();
      out.epoch = static_cast<parquet::EpochUnit>((data[size - 1] + c) % 6);
    }
    outs.push_back(std::move(out));
  }
  parquet::Limits limits;
  limits.maxPageBytes = 64u << 20;
  const parquet::Result d = parquet::decodeColumns(data, size, footer, outs, limits);
  require(d.code == parquet::Result::Ok || !d.message.empty());
  if (d.code != parquet::Result::Ok) return 0;
  for (const parquet::ColumnOut& out : outs) {
    require(out.epoch != parquet::EpochUnit::Detect);
    if (!out.codes) continue;
    for (size_t i = 0; i < rows; i++) require(out.codes[i] >= -1 && out.codes[i] < static_cast<int32_t>(out.dictionary.size()));
  }
  return 0;
}
