// decodeColumns(): every (row group, column) chunk is a task; threadCount() threads take tasks from a
// shared counter. A task walks its chunk's pages (dictionary page, data pages v1 and v2), decompresses
// each, decodes definition levels and values, and writes its rows in place into the caller's array (a
// number page then scanned for the column's first missing value while it is in cache).
// Text chunks then merge their strings into one dictionary in order of first appearance.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "nan_scan.hpp"
#include "parallel.hpp"
#include "memory.hpp"
#include "parquet.hpp"
#include "parquet_codec.hpp"
#include "parquet_thrift.hpp"
#include "parquet_values.hpp"

namespace kernelbus::parquet {
namespace {

enum PageType : int { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };

/// A growable buffer that is not zero-filled (decompressed pages).
struct Scratch {
  std::unique_ptr<uint8_t[]> data;
  size_t capacity = 0;
  uint8_t* get(size_t n) {
    if (n > capacity) {
      data.reset(new uint8_t[n]);
      capacity = n;
    }
    return data.get();
  }
};

/// What a text chunk leaves for the merge: its strings, and their local ids in order of first appearance.
struct TextChunk {
  TextDictionary text;
  std::vector<int32_t> firstSeen;
};

class ChunkReader {
 public:
  /// `scratch` and `zstd`: the thread's, reused from chunk to chunk (a page buffer's pages stay mapped).
  ChunkReader(const uint8_t* file, const Footer& footer, size_t group, const ColumnOut& out, const Limits& limits, Scratch& scratch,
              ZstdContext& zstd)
      : file_(file),
        group_(footer.rowGroups[group]),
        chunk_(footer.rowGroups[group].chunks[static_cast<size_t>(out.column)]),
        column_(footer.columns[static_cast<size_t>(out.column)]),
        out_(out),
        limits_(limits),
        scratch_(scratch),
        zstd_(zstd) {}

  void run(TextChunk* text) {
    text_ = text;
    const uint64_t rows = static_cast<uint64_t>(group_.rows);
    if (group_.firstRow + rows > out_.length) corrupt("rows past the output's length");
    uint64_t pos = chunk_.begin;
    const uint64_t end = chunk_.begin + chunk_.size;
    done_ = 0;
    while (done_ < rows) {
      if (pos >= end) {
        corrupt("the column chunk ends after " + std::to_string(done_) + " of " + std::to_string(rows) + " values");
      }
      PageHeader h;
      pos += readPageHeader(file_ + pos, file_ + end, pos, h);
      if (static_cast<uint64_t>(h.compressedSize) > end - pos) {
        corrupt("a page at byte " + std::to_string(pos) + " runs past its column chunk");
      }
      const Section raw{file_ + pos, static_cast<size_t>(h.compressedSize)};
      const uint64_t at = pos;
      pos += static_cast<uint64_t>(h.compressedSize);
      switch (h.type) {
        case kDictionaryPage:
          dictionaryPage(h, raw, at);
          break;
        case kDataPage:
          dataPageV1(h, raw, at);
          break;
        case kDataPageV2:
          dataPageV2(h, raw, at);
          break;
        case kIndexPage:
          break;
        default:
          corrupt("a page of unknown type " + std::to_string(h.type) + " at byte " + std::to_string(at));
      }
    }
    if (text_) firstSeen();
  }

  /// After run(): the chunk's first row (in the column) holding NaN, -1 when none.
  int64_t firstNaN() const { return firstNaN_; }

 private:
  /// The page's bytes decompressed (or as they are) to exactly `size` bytes.
  Section body(Section raw, uint64_t size, uint64_t at, bool compressed = true) {
    if (!compressed || chunk_.codec == 0) {
      if (raw.size != size) corrupt("an uncompressed page at byte " + std::to_string(at) + " of the wrong size");
      return raw;
    }
    if (size > limits_.maxPageBytes) corrupt("a page at byte " + std::to_string(at) + " of " + std::to_string(size) + " bytes");
    uint8_t* dst = scratch_.get(static_cast<size_t>(size) + 1);
    bool ok = false;
    if (chunk_.codec == 1) {
      ok = snappyDecompress(raw.data, raw.size, dst, static_cast<size_t>(size));
    } else if (chunk_.codec == 7) {
      ok = lz4Decompress(raw.data, raw.size, dst, static_cast<size_t>(size));
    } else if (chunk_.codec == 6) {
      ok = zstd_.decompress(raw.data, raw.size, dst, static_cast<size_t>(size));
    } else {
      unsupported("codec " + std::to_string(chunk_.codec));
    }
    if (!ok) corrupt("the page at byte " + std::to_string(at) + " does not decompress to its " + std::to_string(size) + " bytes");
    return Section{dst, static_cast<size_t>(size)};
  }

  void dictionaryPage(const PageHeader& h, Section raw, uint64_t at) {
    if (haveDict_) corrupt("a second dictionary page at byte " + std::to_string(at));
    if (h.numValues < 0) corrupt("a dictionary page without its value count");
    if (h.encoding != kPlain && h.encoding != kPlainDictionary) {
      unsupported("a dictionary page of encoding " + std::to_string(h.encoding));
    }
    const Section in = body(raw, static_cast<uint64_t>(h.uncompressedSize), at);
    if (text_) {
      textDictionary(in, static_cast<size_t>(h.numValues), text_->text, dictIds_);
    } else {
      numberDictionary(in, column_, static_cast<size_t>(h.numValues), dict_);
    }
    haveDict_ = true;
  }

  /// `n` values: the page's rows [done_, done_ + n).
  size_t pageValues(const PageHeader& h, uint64_t at) {
    if (h.numValues < 0 || static_cast<uint64_t>(h.numValues) > static_cast<uint64_t>(group_.rows) - done_) {
      corrupt("the page at byte " + std::to_string(at) + " has " + std::to_string(h.numValues) + " values, " +
              std::to_string(static_cast<uint64_t>(group_.rows) - done_) + " rows are left");
    }
    return static_cast<size_t>(h.numValues);
  }

  /// Definition levels (0 null, 1 a value) of the page's n rows into levels_; returns the values.
  size_t levels(Section in, size_t n) {
    levels_.resize(n);
    uint8_t* l = levels_.data();
    size_t i = 0, values = 0;
    decodeHybrid(
        in, 1, n, "definition levels",
        [&](uint32_t v, size_t count) {
          std::memset(l + i, static_cast<int>(v), count);
          i += count;
          values += v * count;
        },
        [&](const uint32_t* v, size_t count) {
          for (size_t k = 0; k < count; k++) {
            l[i + k] = static_cast<uint8_t>(v[k]);
            values += v[k];
          }
          i += count;
        });
    return values;
  }

  void dataPageV1(const PageHeader& h, Section raw, uint64_t at) {
    const size_t n = pageValues(h, at);
    Section in = body(raw, static_cast<uint64_t>(h.uncompressedSize), at);
    size_t values = n;
    if (column_.optional) {
      if (h.defEncoding != kRle) unsupported("definition levels of encoding " + std::to_string(h.defEncoding));
      if (in.size < 4) corrupt("the page at byte " + std::to_string(at) + " has no definition levels");
      uint32_t len;
      std::memcpy(&len, in.data, 4);
      if (len > in.size - 4) corrupt("the definition levels of the page at byte " + std::to_string(at) + " run past it");
      values = levels(Section{in.data + 4, len}, n);
      in = Section{in.data + 4 + len, in.size - 4 - len};
    }
    pageData(in, h.encoding, n, values);
  }

  void dataPageV2(const PageHeader& h, Section raw, uint64_t at) {
    const size_t n = pageValues(h, at);
    if (h.repBytes != 0) unsupported("repetition levels (a repeated column)");
    if (h.defBytes < 0 || static_cast<uint64_t>(h.defBytes) > raw.size || h.defBytes > h.uncompressedSize) {
      corrupt("the definition levels of the page at byte " + std::to_string(at) + " run past it");
    }
    const size_t defBytes = static_cast<size_t>(h.defBytes);
    size_t values = n;
    if (column_.optional) {
      values = levels(Section{raw.data, defBytes}, n);
    } else if (defBytes != 0) {
      corrupt("definition levels in a required column");
    }
    const Section in =
        body(Section{raw.data + defBytes, raw.size - defBytes}, static_cast<uint64_t>(h.uncompressedSize) - defBytes, at, h.compressed);
    pageData(in, h.encoding, n, values);
  }

  /// Decodes the page's `values` non-null values to the front of its rows, then spreads them over the
  /// rows whose level says so (backwards, in place), nulls between.
  void pageData(Section in, int encoding, size_t n, size_t values) {
    const size_t row = static_cast<size_t>(group_.firstRow + done_);
    if (text_) {
      int32_t* dst = out_.codes + row;
      decodeText(in, encoding, values, dictIds_, haveDict_, text_->text, dst);
      if (values < n) spread(dst, n, values, int32_t{-1});
    } else {
      double* dst = out_.numbers + row;
      decodeNumbers(in, encoding, column_, values, dict_, haveDict_, dst);
      if (values < n) spread(dst, n, values, std::numeric_limits<double>::quiet_NaN());
      // the missing-value scan while the page is in cache (a pass over the whole column after was 14 ms
      // of a 10^7-row read's 170)
      if (firstNaN_ < 0) {
        const int64_t k = kernelbus::firstNaN(dst, n);
        if (k >= 0) firstNaN_ = static_cast<int64_t>(row) + k;
      }
    }
    done_ += n;
  }

  template <typename T>
  void spread(T* dst, size_t n, size_t values, T missing) {
    size_t j = values;
    for (size_t i = n; i-- > 0;) dst[i] = levels_[i] ? dst[--j] : missing;
  }

  /// The chunk's local ids in order of first appearance (stops once every string has been seen).
  void firstSeen() {
    const size_t size = text_->text.values.size();
    std::vector<uint8_t> seen(size, 0);
    const int32_t* codes = out_.codes + group_.firstRow;
    const size_t rows = static_cast<size_t>(group_.rows);
    for (size_t i = 0; i < rows && text_->firstSeen.size() < size; i++) {
      const int32_t c = codes[i];
      if (c >= 0 && !seen[static_cast<size_t>(c)]) {
        seen[static_cast<size_t>(c)] = 1;
        text_->firstSeen.push_back(c);
      }
    }
  }

  const uint8_t* file_;
  const RowGroup& group_;
  const Chunk& chunk_;
  const Column& column_;
  const ColumnOut& out_;
  const Limits& limits_;
  TextChunk* text_ = nullptr;
  uint64_t done_ = 0;
  int64_t firstNaN_ = -1;
  bool haveDict_ = false;
  std::vector<double> dict_;
  std::vector<int32_t> dictIds_;
  std::vector<uint8_t> levels_;
  Scratch& scratch_;
  ZstdContext& zstd_;
};

/// "row group 2, column price": where a chunk's messages happened.
std::string chunkName(const Footer& footer, size_t group, const ColumnOut& out) {
  return "row group " + std::to_string(group) + ", column " + footer.columns[static_cast<size_t>(out.column)].name;
}

struct Task {
  size_t group;
  size_t out;
};

/// Merges a text column's chunks into out.dictionary (first appearance over the whole column) and
/// rewrites their codes to it: `remap` is called per chunk whose local ids differ from the merged ones.
void mergeText(const Footer& footer, ColumnOut& out, std::vector<TextChunk>& chunks, std::vector<std::vector<int32_t>>& remaps) {
  // keys view out.dictionary's strings: the caller reserved room for every value, so none moves
  std::unordered_map<std::string_view, int32_t> global;
  remaps.assign(chunks.size(), {});
  for (size_t g = 0; g < chunks.size(); g++) {
    TextChunk& chunk = chunks[g];
    std::vector<int32_t>& map = remaps[g];
    map.assign(chunk.text.values.size(), -1);
    bool identity = true;
    for (const int32_t local : chunk.firstSeen) {
      const std::string& s = chunk.text.values[static_cast<size_t>(local)];
      auto it = global.find(s);
      int32_t id;
      if (it == global.end()) {
        id = static_cast<int32_t>(out.dictionary.size());
        out.dictionary.push_back(s);
        global.emplace(std::string_view(out.dictionary.back()), id);
      } else {
        id = it->second;
      }
      map[static_cast<size_t>(local)] = id;
      if (id != local) identity = false;
    }
    if (identity) map.clear();
  }
  (void)footer;
}

}  // namespace

Result decodeColumns(const uint8_t* data, size_t size, const Footer& footer, std::vector<ColumnOut>& outs, const Limits& limits) {
  (void)size;  // readFooter() checked every chunk against it
  try {
    for (const ColumnOut& o : outs) {
      if (o.column < 0 || static_cast<size_t>(o.column) >= footer.columns.size()) corrupt("a column index out of range");
      const Column& c = footer.columns[static_cast<size_t>(o.column)];
      if (!c.unsupported.empty()) unsupported(c.unsupported);
      if (o.length != static_cast<uint64_t>(footer.rows)) corrupt("column " + c.name + ": an output of the wrong length");
      if (o.length > 0 && (c.kind == Kind::Text ? o.codes == nullptr : o.numbers == nullptr)) {
        corrupt("column " + c.name + ": an output of the wrong kind");
      }
    }
    for (const ColumnOut& o : outs) {
      if (o.numbers) adviseHugePages(o.numbers, o.length * sizeof(double));
      if (o.codes) adviseHugePages(o.codes, o.length * sizeof(int32_t));
    }
    const size_t groups = footer.rowGroups.size();
    std::vector<Task> tasks;
    tasks.reserve(groups * outs.size());
    for (size_t o = 0; o < outs.size(); o++)
      for (size_t g = 0; g < groups; g++) tasks.push_back({g, o});
    // text chunks: one per (column, group); numbers need none
    std::vector<std::vector<TextChunk>> text(outs.size());
    std::vector<bool> isText(outs.size());
    for (size_t o = 0; o < outs.size(); o++) {
      isText[o] = footer.columns[static_cast<size_t>(outs[o].column)].kind == Kind::Text;
      if (isText[o]) text[o].resize(groups);
    }

    std::vector<Result> results(tasks.size());
    std::vector<int64_t> firstNaNs(tasks.size(), -1);
    std::atomic<size_t> next{0};
    auto work = [&](size_t, size_t) {
      Scratch scratch;
      ZstdContext zstd;
      for (size_t t; (t = next.fetch_add(1)) < tasks.size();) {
        const Task& task = tasks[t];
        try {
          ChunkReader reader(data, footer, task.group, outs[task.out], limits, scratch, zstd);
          reader.run(isText[task.out] ? &text[task.out][task.group] : nullptr);
          firstNaNs[t] = reader.firstNaN();
        } catch (const ParquetError& e) {
          results[t] = {e.code, chunkName(footer, task.group, outs[task.out]) + ": " + e.what()};
        } catch (const std::bad_alloc&) {
          results[t] = {Result::Corrupt, chunkName(footer, task.group, outs[task.out]) + ": out of memory"};
        }
      }
    };
    const size_t threads = std::min(threadCount(), tasks.size());
    parallelFor(threads, 1, work);
    for (const Result& r : results)
      if (r.code != Result::Ok) return r;  // the first failed task in (column, row group) order

    // text: merge the chunks' dictionaries, then rewrite the codes of the chunks whose ids moved
    std::vector<std::vector<std::vector<int32_t>>> remaps(outs.size());
    std::vector<Task> rewrites;
    for (size_t o = 0; o < outs.size(); o++) {
      if (!isText[o]) continue;
      size_t total = 0;
      for (const TextChunk& c : text[o]) total += c.firstSeen.size();
      outs[o].dictionary.clear();
      outs[o].dictionary.reserve(total);
      mergeText(footer, outs[o], text[o], remaps[o]);
      for (size_t g = 0; g < groups; g++)
        if (!remaps[o][g].empty()) rewrites.push_back({g, o});
    }
    next = 0;
    parallelFor(std::min(threadCount(), rewrites.size()), 1, [&](size_t, size_t) {
      for (size_t t; (t = next.fetch_add(1)) < rewrites.size();) {
        const Task& task = rewrites[t];
        const RowGroup& g = footer.rowGroups[task.group];
        const int32_t* map = remaps[task.out][task.group].data();
        int32_t* codes = outs[task.out].codes + g.firstRow;
        for (size_t i = 0; i < static_cast<size_t>(g.rows); i++)
          if (codes[i] >= 0) codes[i] = map[codes[i]];
      }
    });
    // a number column's first missing value: its first chunk's with one (tasks are in (column, group)
    // order, groups in row order); scaling never makes or removes a NaN
    for (ColumnOut& o : outs) o.firstMissing = -1;
    for (size_t t = tasks.size(); t-- > 0;)
      if (firstNaNs[t] >= 0) outs[tasks[t].out].firstMissing = firstNaNs[t];
    // number columns read as epoch times: scaled to ms (other kinds stand as they are)
    for (ColumnOut& o : outs) {
      if (footer.columns[static_cast<size_t>(o.column)].kind != Kind::Number) o.epoch = EpochUnit::None;
      if (o.epoch != EpochUnit::None) toEpochMillis(o);
    }
    return {};
  } catch (const ParquetError& e) {
    return {e.code, e.what()};
  } catch (const std::bad_alloc&) {
    return {Result::Corrupt, "out of memory"};
  }
}

}  // namespace kernelbus::parquet
