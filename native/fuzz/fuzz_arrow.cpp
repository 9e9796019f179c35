// libFuzzer target of the native Arrow IPC reader (native/io/arrow.hpp): the input is a whole file or
// stream. readFile() must return Ok, Corrupt or Unsupported (never crash, hang or read out of bounds);
// on Ok, decodeColumns() of every decodable column likewise, whole and batch by batch, and on success
// its text codes must index their dictionaries. Seeds: native/fuzz/seeds/fuzz_arrow/ (small files of
// both formats, LZ4 and ZSTD bodies, dictionaries and deltas, and damaged copies of the kinds of
// test/io/damaged.test.ts: truncated, random bytes changed, footer bytes changed; buffers over another
// buffer or the next message's metadata, as test/io/arrow-overlap.test.ts crafts them).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "arrow.hpp"
#include "invariants.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

void decode(const uint8_t* data, size_t size, const arrow::File& file, int64_t batch, size_t rows) {
  std::vector<std::vector<double>> numbers;
  std::vector<std::vector<int32_t>> codes;
  std::vector<arrow::ColumnOut> outs;
  numbers.reserve(file.columns.size());
  codes.reserve(file.columns.size());
  for (size_t c = 0; c < file.columns.size(); c++) {
    if (!file.columns[c].unsupported.empty()) continue;
    arrow::ColumnOut out;
    out.column = static_cast<int>(c);
    out.length = rows;
    if (file.columns[c].kind == arrow::Kind::Text) {
      codes.emplace_back(rows, -2);
      out.codes = codes.back().data();
    } else {
      numbers.emplace_back(rows, 0.0);
      out.numbers = numbers.back().data();
    }
    outs.push_back(std::move(out));
  }
  arrow::Limits limits;
  limits.maxBufferBytes = 64u << 20;
  const arrow::Result r = arrow::decodeColumns(data, size, file, outs, batch, limits);
  require(r.code == arrow::Result::Ok || !r.message.empty());
  if (r.code != arrow::Result::Ok) return;
  for (const arrow::ColumnOut& out : outs) {
    if (!out.codes) continue;
    for (size_t i = 0; i < rows; i++) require(out.codes[i] >= -1 && out.codes[i] < static_cast<int32_t>(out.dictionary.size()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  arrow::File file;
  const arrow::Result r = arrow::readFile(data, size, file);
  require(r.code == arrow::Result::Ok || !r.message.empty());
  if (r.code != arrow::Result::Ok || !file.unsupported.empty()) return 0;
  // outputs within the fuzzer's memory (a batch may claim up to 8 rows a byte)
  if (file.rows > (1 << 20) || static_cast<uint64_t>(file.rows) * file.columns.size() > (uint64_t{1} << 22)) return 0;
  // columns read in place lie inside the bytes and share none of them (a view written changes no other)
  std::vector<std::pair<uint64_t, uint64_t>> views;
  for (size_t c = 0; c < file.columns.size(); c++) {
    for (size_t b = 0; b < file.batches.size(); b++) {
      const int64_t at = arrow::float64InPlace(file, c, b);
      require(at < 0 || (static_cast<uint64_t>(at) <= size &&
                         (size - static_cast<uint64_t>(at)) / 8 >= static_cast<uint64_t>(file.batches[b].length)));
      const uint64_t bytes = 8 * static_cast<uint64_t>(file.batches[b].length);
      if (at >= 0 && bytes > 0) views.emplace_back(static_cast<uint64_t>(at), static_cast<uint64_t>(at) + bytes);
    }
  }
  std::sort(views.begin(), views.end());
  for (size_t i = 1; i < views.size(); i++) require(views[i - 1].second <= views[i].first);
  decode(data, size, file, -1, static_cast<size_t>(file.rows));
  if (!file.batches.empty())
    decode(data, size, file, static_cast<int64_t>(file.batches.size() - 1), static_cast<size_t>(file.batches.back().length));
  return 0;
}
