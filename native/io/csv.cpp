// The block parser (csv.hpp): pass 1 (csv_scan.hpp) over speculative chunks, verified and rescanned
// where a chunk's guessed start was inside a quoted field; the capacity check; pass 2 (csv_chunk.hpp)
// per chunk in place; then the earliest fault, skipped rows compacted out, dictionaries merged.
#include "csv.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "csv_chunk.hpp"
#include "csv_scan.hpp"
#include "csv_text.hpp"
#include "memory.hpp"
#include "parallel.hpp"

namespace kernelbus::csv {
namespace {

constexpr size_t kDefaultChunkBytes = size_t{256} << 10;

/// Pass 1: each chunk's records. Chunk c > 0 starts (a guess) after the first '\n' at or after its
/// share of the block; each is scanned in parallel to where the next one starts, then, in order, a
/// chunk whose start is not where the previous one's scan ended (the guess fell inside a quoted
/// field) is scanned again from there.
std::vector<ScanResult> findRecords(const uint8_t* bytes, size_t size, const Plan& plan, size_t chunks) {
  std::vector<size_t> starts(chunks + 1, size);
  starts[0] = 0;
  for (size_t c = 1; c < chunks; c++) {
    const size_t nominal = std::max(starts[c - 1], size / chunks * c);
    const void* nl = nominal < size ? std::memchr(bytes + nominal, '\n', size - nominal) : nullptr;
    starts[c] = nl != nullptr ? static_cast<size_t>(static_cast<const uint8_t*>(nl) - bytes) + 1 : size;
  }
  std::vector<ScanResult> scans(chunks);
  parallelFor(chunks, 1, [&](size_t begin, size_t end) {
    for (size_t c = begin; c < end; c++) scans[c] = scanRecords(bytes, size, starts[c], starts[c + 1], plan.delimiter, plan.final);
  });
  for (size_t c = 1; c < chunks; c++) {
    const ScanResult& previous = scans[c - 1];
    if (previous.incomplete) {
      // nothing after an incomplete record belongs to the block
      scans[c] = ScanResult{};
      scans[c].start = scans[c].end = previous.end;
      scans[c].incomplete = true;
    } else if (scans[c].start != previous.end) {
      scans[c] = scanRecords(bytes, size, previous.end, starts[c + 1], plan.delimiter, plan.final);
    }
  }
  return scans;
}

/// Moves `count` rows of every column from row `from` to row `to` (to < from).
void moveRows(const Plan& plan, size_t from, size_t to, size_t count) {
  if (from == to || count == 0) return;
  for (size_t col = 0; col < plan.width; col++) {
    const ColumnOut& out = plan.out[col];
    if (out.f64 != nullptr && out.stride != 1) {
      for (size_t i = 0; i < count; i++) out.f64[(to + i) * out.stride] = out.f64[(from + i) * out.stride];
    } else if (out.f64 != nullptr) {
      std::memmove(out.f64 + to, out.f64 + from, count * sizeof(double));
    }
    if (out.i32 != nullptr) std::memmove(out.i32 + to, out.i32 + from, count * sizeof(int32_t));
  }
}

}  // namespace

Result parseBlock(const uint8_t* bytes, size_t size, const Plan& plan) {
  Result r;
  r.dictionaries.resize(plan.width);
  const size_t chunkBytes = plan.chunkBytes > 0 ? plan.chunkBytes : kDefaultChunkBytes;
  const size_t chunks = std::max<size_t>(1, std::min(threadCount(), size / chunkBytes));
  const std::vector<ScanResult> scans = findRecords(bytes, size, plan, chunks);

  // rows and lines before each chunk
  std::vector<ChunkJob> jobs(chunks);
  size_t records = 0, newlines = 0;
  for (size_t c = 0; c < chunks; c++) {
    jobs[c].begin = scans[c].start;
    jobs[c].end = scans[c].end;
    jobs[c].line = plan.firstLine + static_cast<double>(newlines);
    jobs[c].row = plan.rowOffset + records;
    records += scans[c].records;
    newlines += scans[c].newlines;
  }
  if (plan.rowOffset > plan.capacity || records > plan.capacity - plan.rowOffset) {
    r.needRowsSet = true;
    r.needRows = records;
    return r;
  }

  for (size_t col = 0; col < plan.width; col++) {  // fresh output pages: fault them in 2 MB at a time
    // (a strided column is part of a matrix its caller advises once)
    adviseHugePages(plan.out[col].f64, plan.out[col].f64 && plan.out[col].stride == 1 ? plan.capacity * sizeof(double) : 0);
    adviseHugePages(plan.out[col].i32, plan.out[col].i32 ? plan.capacity * sizeof(int32_t) : 0);
  }
  std::vector<ChunkResult> results(chunks);
  parallelFor(chunks, 1, [&](size_t begin, size_t end) {
    for (size_t c = begin; c < end; c++) parseChunk(bytes, size, plan, jobs[c], results[c]);
  });

  // the earliest fault stops the block (not skipBadRows): the chunks after it are dropped
  size_t used = chunks;
  for (size_t c = 0; c < chunks && used == chunks; c++) {
    if (results[c].fault.any()) used = c + 1;
  }
  if (used < chunks || results[used - 1].fault.any()) {
    const ChunkResult& stop = results[used - 1];
    r.fault = stop.fault;
    r.consumed = stop.faultRecord;
    r.lines = stop.faultRecordLine - plan.firstLine;
  } else {
    r.consumed = scans[chunks - 1].end;
    r.lines = static_cast<double>(newlines);
  }

  // skipped rows compacted out: chunk c's rows move down over the gaps before them (in chunk order)
  std::vector<size_t> rowAt(used);
  size_t rows = plan.rowOffset;
  for (size_t c = 0; c < used; c++) {
    moveRows(plan, jobs[c].row, rows, results[c].accepted);
    rowAt[c] = rows;
    rows += results[c].accepted;
    if (results[c].bad > 0 && r.badRows == 0) r.firstBad = results[c].firstBad;
    r.badRows += results[c].bad;
  }
  r.rows = rows - plan.rowOffset;

  // dictionaries: the chunks' values merged in chunk order (first appearance), codes remapped
  for (size_t col = 0; col < plan.width; col++) {
    if (plan.kinds[col] != static_cast<uint8_t>(Kind::Text)) continue;
    Dictionary merged;
    std::vector<std::vector<int32_t>> remap(used);
    for (size_t c = 0; c < used; c++) {
      const Dictionary& d = results[c].dictionaries[col];
      bool identity = true;
      remap[c].resize(d.size());
      for (size_t code = 0; code < d.size(); code++) {
        remap[c][code] = merged.intern(d.data(code), d.length(code));
        identity &= remap[c][code] == static_cast<int32_t>(code);
      }
      if (identity) remap[c].clear();
    }
    parallelFor(used, 1, [&](size_t begin, size_t end) {
      for (size_t c = begin; c < end; c++) {
        if (remap[c].empty()) continue;
        int32_t* codes = plan.out[col].i32 + rowAt[c];
        for (size_t i = 0; i < results[c].accepted; i++) {
          if (codes[i] >= 0) codes[i] = remap[c][codes[i]];
        }
      }
    });
    std::vector<std::string>& values = r.dictionaries[col];
    values.reserve(merged.size());
    for (size_t code = 0; code < merged.size(); code++) values.push_back(merged.value(code));
  }
  return r;
}

std::string faultText(const uint8_t* bytes, const BlockFault& fault) {
  std::string text;
  appendUtf8(bytes + fault.textBegin, bytes + fault.textEnd, text);
  return text;
}

}  // namespace kernelbus::csv
