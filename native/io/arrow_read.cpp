// decodeColumns(): the record batches of readFile()'s File into float64 numbers and int32 text codes,
// concatenated, with the type mapping of docs/io.md "Parquet and Arrow" (that of src/io/arrow-convert.ts:
// integers, floats and booleans as numbers, times as epoch ms, nulls NaN or -1, strings interned in
// order of first appearance, a dictionary's in its own order).
#include <algorithm>
#include <cmath>
#include <limits>
#include <deque>
#include <memory>
#include <unordered_map>

#include "arrow.hpp"
#include "arrow_flatbuf.hpp"
#include "parallel.hpp"
#include "parquet_codec.hpp"

namespace kernelbus::arrow {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDayMs = 86400000.0;

struct Span {
  const uint8_t* p = nullptr;
  size_t n = 0;
};

/// A batch's buffers, decompressed when the batch is compressed (into memory kept to the end of the read:
/// strings are viewed where they lie).
class Buffers {
 public:
  Buffers(const uint8_t* data, const Limits& limits) : data_(data), limits_(limits) {}

  /// Buffer `i` of `b`, at least `needed` bytes long (else Corrupt).
  Span get(const Batch& b, size_t i, uint64_t needed, const char* what) {
    const BufferRef& ref = b.buffers[i];
    const uint64_t at = b.body + ref.offset;
    Span s{data_ + at, static_cast<size_t>(ref.length)};
    if (b.codec >= 0 && s.n > 0) {
      if (s.n < 8) corrupt(std::string("a compressed ") + what + " of " + std::to_string(s.n) + " bytes", at);
      const int64_t length = load<int64_t>(s.p);
      if (length == -1) {
        s = {s.p + 8, s.n - 8};
      } else {
        if (length < 0 || static_cast<uint64_t>(length) > limits_.maxBufferBytes) {
          corrupt(std::string("a compressed ") + what + " of " + std::to_string(length) + " bytes", at);
        }
        // a prefix claiming far more than the column holds (a library may still read the file)
        if (static_cast<uint64_t>(length) > 2 * needed + 65536) unsupported(std::string("a ") + what + " larger than its column");
        kept_.emplace_back(new uint8_t[static_cast<size_t>(length) + 1]);
        uint8_t* out = kept_.back().get();
        const size_t outSize = static_cast<size_t>(length);
        const bool ok =
            b.codec == 0 ? lz4FrameDecompress(s.p + 8, s.n - 8, out, outSize) : zstd_.decompress(s.p + 8, s.n - 8, out, outSize);
        if (!ok)
          corrupt(std::string("a ") + what + (b.codec == 0 ? " that is no LZ4 frame" : " that is no zstd frame") + " of its length", at);
        s = {out, outSize};
      }
    }
    if (s.n < needed)
      corrupt(std::string("a ") + what + " of " + std::to_string(s.n) + " bytes where " + std::to_string(needed) + " belong", at);
    return s;
  }
  /// Frees what get() decompressed (numbers are copied out; text values are kept to the end).
  void release(size_t keep) {
    while (kept_.size() > keep) kept_.pop_back();
  }
  size_t kept() const { return kept_.size(); }

 private:
  const uint8_t* data_;
  const Limits& limits_;
  parquet::ZstdContext zstd_;
  std::deque<std::unique_ptr<uint8_t[]>> kept_;
};

inline bool bit(const uint8_t* bits, size_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }

/// int64 values of a time unit (0 s, 1 ms, 2 us, 3 ns) to epoch ms; us and ns as ±(H + L / 10^k), H the
/// whole milliseconds, so no digit is lost before the last rounding (the CSV reader's and arrow-convert's rule).
inline double epochMs(int64_t v, int unit) {
  if (unit == 0) return static_cast<double>(v) * 1000.0;
  if (unit == 1) return static_cast<double>(v);
  const uint64_t d = unit == 2 ? 1000 : 1000000;
  const uint64_t mag = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  const double ms = static_cast<double>(mag / d) + static_cast<double>(mag % d) / static_cast<double>(d);
  return v < 0 ? -ms : ms;
}

/// out[i] = f(value i), across the addon's threads (the first writes to fresh memory fault per page:
/// on a virtual machine that costs more than the conversion, and threads fault in parallel).
template <typename T, typename F>
void convert(const uint8_t* p, size_t n, double* out, F f) {
  parallelFor(n, size_t{1} << 18, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) out[i] = f(load<T>(p + i * sizeof(T)));
  });
}

/// One batch of a Number or Time column into out[0, n).
void numbers(const Column& c, const Batch& b, size_t column, Buffers& buffers, double* out) {
  const size_t n = static_cast<size_t>(b.length);
  if (c.type == Type::Null) {
    for (size_t i = 0; i < n; i++) out[i] = kNaN;
    return;
  }
  const size_t data = static_cast<size_t>(c.firstBuffer) + 1;
  const uint64_t width = c.type == Type::Bool                           ? 0
                         : c.type == Type::Date32                       ? 4
                         : c.type == Type::Int || c.type == Type::Float ? c.bitWidth / 8
                                                                        : 8;
  const Span v = buffers.get(b, data, width == 0 ? (n + 7) / 8 : n * width, "values buffer");
  const auto asDouble = [](auto x) { return static_cast<double>(x); };
  switch (c.type) {
    case Type::Bool:
      for (size_t i = 0; i < n; i++) out[i] = bit(v.p, i) ? 1.0 : 0.0;
      break;
    case Type::Float:
      if (c.bitWidth == 64)
        std::memcpy(out, v.p, n * 8);
      else
        convert<float>(v.p, n, out, asDouble);
      break;
    case Type::Int:
      switch (c.bitWidth * (c.isSigned ? 1 : -1)) {
        case 8:
          convert<int8_t>(v.p, n, out, asDouble);
          break;
        case 16:
          convert<int16_t>(v.p, n, out, asDouble);
          break;
        case 32:
          convert<int32_t>(v.p, n, out, asDouble);
          break;
        case 64:
          convert<int64_t>(v.p, n, out, asDouble);
          break;
        case -8:
          convert<uint8_t>(v.p, n, out, asDouble);
          break;
        case -16:
          convert<uint16_t>(v.p, n, out, asDouble);
          break;
        case -32:
          convert<uint32_t>(v.p, n, out, asDouble);
          break;
        default:
          convert<uint64_t>(v.p, n, out, asDouble);
          break;
      }
      break;
    case Type::Date32:
      convert<int32_t>(v.p, n, out, [](int32_t d) { return static_cast<double>(d) * kDayMs; });
      break;
    case Type::Date64:
      convert<int64_t>(v.p, n, out, asDouble);
      break;
    case Type::Timestamp:
      switch (c.unit) {
        case 0:
          convert<int64_t>(v.p, n, out, [](int64_t x) { return epochMs(x, 0); });
          break;
        case 1:
          convert<int64_t>(v.p, n, out, asDouble);
          break;
        case 2:
          convert<int64_t>(v.p, n, out, [](int64_t x) { return epochMs(x, 2); });
          break;
        default:
          convert<int64_t>(v.p, n, out, [](int64_t x) { return epochMs(x, 3); });
          break;
      }
      break;
    default:
      unsupported("a column of this type");
  }
  if (b.nullCount[column] > 0) {
    const Span valid = buffers.get(b, static_cast<size_t>(c.firstBuffer), (n + 7) / 8, "validity bitmap");
    for (size_t i = 0; i < n; i++) {
      if (!bit(valid.p, i)) out[i] = kNaN;
    }
  }
}

/// A UTF-8 check (no overlongs, surrogates or code points past U+10FFFF), so that the strings JS gets
/// are exactly these bytes: anything else is left to the library path, which decodes with U+FFFD.
bool validUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const uint8_t c = *p;
    if (c < 0x80) {
      p++;
      continue;
    }
    const int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : -1;
    if (n < 0 || c > 0xF4 || end - p <= n) return false;
    for (int k = 1; k <= n; k++) {
      if ((p[k] & 0xC0) != 0x80) return false;
    }
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) || (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F)) return false;
    p += n + 1;
  }
  return true;
}

/// The strings of a Utf8 or LargeUtf8 array (buffers `first` .. `first + 2` of `b`); a null entry has p == nullptr.
std::vector<Span> strings(bool large, const Batch& b, size_t node, size_t first, Buffers& buffers) {
  const size_t n = static_cast<size_t>(b.nodeLength[node]);
  const size_t w = large ? 8 : 4;
  const Span offsets = buffers.get(b, first + 1, n == 0 ? 0 : (n + 1) * w, "offsets buffer");
  const auto offsetAt = [&](size_t i) -> int64_t { return large ? load<int64_t>(offsets.p + 8 * i) : load<int32_t>(offsets.p + 4 * i); };
  const uint64_t last = n == 0 ? 0 : static_cast<uint64_t>(std::max<int64_t>(offsetAt(n), 0));
  const Span chars = buffers.get(b, first + 2, last, "string data buffer");
  const Span valid = b.nullCount[node] > 0 ? buffers.get(b, first, (n + 7) / 8, "validity bitmap") : Span{};
  std::vector<Span> out(n);
  for (size_t i = 0; i < n; i++) {
    if (valid.p && !bit(valid.p, i)) continue;
    const int64_t from = offsetAt(i), to = offsetAt(i + 1);
    if (from < 0 || to < from || static_cast<uint64_t>(to) > chars.n) {
      corrupt("string " + std::to_string(i) + " at bytes [" + std::to_string(from) + ", " + std::to_string(to) + ") of " +
                  std::to_string(chars.n),
              b.body + b.buffers[first + 1].offset);
    }
    out[i] = {chars.p + from, static_cast<size_t>(to - from)};
  }
  return out;
}

/// A text column's values in order of first appearance, each once.
class Interner {
 public:
  int32_t code(Span s) {
    const std::string_view key(reinterpret_cast<const char*>(s.p), s.n);
    const auto found = codes_.find(key);
    if (found != codes_.end()) return found->second;
    if (!validUtf8(key)) unsupported("a string that is not valid UTF-8");
    const auto code = static_cast<int32_t>(values_.size());
    codes_.emplace(key, code);
    values_.push_back(key);
    return code;
  }
  std::vector<std::string> values() const { return {values_.begin(), values_.end()}; }

 private:
  std::unordered_map<std::string_view, int32_t> codes_;
  std::vector<std::string_view> values_;
};

/// A dictionary id's current values; `version` changes with every dictionary batch of that id.
struct Dictionary {
  std::vector<Span> values;
  uint64_t version = 0;
};

struct TextState {
  Interner interner;
  uint64_t version = 0;  // the dictionary version `mapping` was made for
  std::vector<int32_t> mapping;
};

template <typename T>
void dictionaryCodes(const uint8_t* idx, size_t n, const std::vector<int32_t>& mapping, int32_t* out) {
  for (size_t i = 0; i < n; i++) {
    const T k = load<T>(idx + i * sizeof(T));
    out[i] = k >= 0 && static_cast<uint64_t>(k) < mapping.size() ? mapping[static_cast<size_t>(k)] : -1;
  }
}

/// One batch of a Text column into out[0, n).
void text(const Column& c, const Batch& b, size_t column, Buffers& buffers, const Dictionary* dict, TextState& state, int32_t* out) {
  const size_t n = static_cast<size_t>(b.length);
  if (!c.dictionary) {
    const std::vector<Span> rows = strings(c.type == Type::LargeUtf8, b, column, static_cast<size_t>(c.firstBuffer), buffers);
    for (size_t i = 0; i < n; i++) out[i] = rows[i].p ? state.interner.code(rows[i]) : -1;
    return;
  }
  if (!dict) corrupt("a batch before the dictionary of column \"" + c.name + "\"", b.body);
  if (state.version != dict->version) {
    state.mapping.resize(dict->values.size());
    for (size_t k = 0; k < dict->values.size(); k++) state.mapping[k] = dict->values[k].p ? state.interner.code(dict->values[k]) : -1;
    state.version = dict->version;
  }
  const Span idx = buffers.get(b, static_cast<size_t>(c.firstBuffer) + 1, n * static_cast<size_t>(c.indexWidth / 8), "index buffer");
  switch (c.indexWidth * (c.indexSigned ? 1 : -1)) {
    case 8:
      dictionaryCodes<int8_t>(idx.p, n, state.mapping, out);
      break;
    case 16:
      dictionaryCodes<int16_t>(idx.p, n, state.mapping, out);
      break;
    case 32:
      dictionaryCodes<int32_t>(idx.p, n, state.mapping, out);
      break;
    case 64:
      dictionaryCodes<int64_t>(idx.p, n, state.mapping, out);
      break;
    case -8:
      dictionaryCodes<uint8_t>(idx.p, n, state.mapping, out);
      break;
    case -16:
      dictionaryCodes<uint16_t>(idx.p, n, state.mapping, out);
      break;
    case -32:
      dictionaryCodes<uint32_t>(idx.p, n, state.mapping, out);
      break;
    default:
      dictionaryCodes<uint64_t>(idx.p, n, state.mapping, out);
      break;
  }
  if (b.nullCount[column] > 0) {
    const Span valid = buffers.get(b, static_cast<size_t>(c.firstBuffer), (n + 7) / 8, "validity bitmap");
    for (size_t i = 0; i < n; i++) {
      if (!bit(valid.p, i)) out[i] = -1;
    }
  }
}

}  // namespace

Result decodeColumns(const uint8_t* data, size_t size, const File& file, std::vector<ColumnOut>& outs, int64_t batch,
                     const Limits& limits) {
  (void)size;  // readFile() checked every buffer against it
  try {
    if (!file.unsupported.empty()) unsupported(file.unsupported);
    if (batch >= static_cast<int64_t>(file.batches.size())) unsupported("a batch the file does not have");
    const int64_t rows = batch < 0 ? file.rows : file.batches[static_cast<size_t>(batch)].length;
    for (const ColumnOut& o : outs) {
      if (o.column < 0 || static_cast<size_t>(o.column) >= file.columns.size() || o.length != static_cast<size_t>(rows)) {
        unsupported("an output that does not match the file");
      }
      const Column& c = file.columns[static_cast<size_t>(o.column)];
      if (!c.unsupported.empty()) unsupported(c.unsupported);
      if ((c.kind == Kind::Text ? static_cast<const void*>(o.codes) : o.numbers) == nullptr) unsupported("an output of the wrong kind");
    }
    Buffers buffers(data, limits);
    std::unordered_map<int64_t, Dictionary> dictionaries;
    std::vector<TextState> states(outs.size());
    uint64_t version = 0;
    size_t at = 0;
    for (const Step& step : file.order) {
      if (step.dictionary) {
        const DictionaryBatch& d = file.dictionaries[step.index];
        const Column* owner = nullptr;
        for (const ColumnOut& o : outs) {
          const Column& c = file.columns[static_cast<size_t>(o.column)];
          if (c.dictionary && c.dictionaryId == d.id) owner = &c;
        }
        if (!owner) continue;  // no column read uses it
        std::vector<Span> values = strings(owner->type == Type::LargeUtf8, d.data, 0, 0, buffers);
        Dictionary& dict = dictionaries[d.id];
        if (!d.delta) dict.values.clear();
        dict.values.insert(dict.values.end(), values.begin(), values.end());
        dict.version = ++version;
        continue;
      }
      if (batch >= 0 && step.index != static_cast<size_t>(batch)) continue;
      const Batch& b = file.batches[step.index];
      for (size_t k = 0; k < outs.size(); k++) {
        ColumnOut& o = outs[k];
        const size_t column = static_cast<size_t>(o.column);
        const Column& c = file.columns[column];
        if (c.kind != Kind::Text) {
          const size_t kept = buffers.kept();
          numbers(c, b, column, buffers, o.numbers + at);
          buffers.release(kept);
        } else {
          const auto found = dictionaries.find(c.dictionaryId);
          text(c, b, column, buffers, found == dictionaries.end() ? nullptr : &found->second, states[k], o.codes + at);
        }
      }
      at += static_cast<size_t>(b.length);
      if (batch >= 0) break;
    }
    for (size_t k = 0; k < outs.size(); k++) {
      if (outs[k].codes) outs[k].dictionary = states[k].interner.values();
    }
    return {};
  } catch (const Fault& f) {
    return {f.code, f.message};
  }
}

std::vector<BufferRef> decodedRanges(const File& file, const std::vector<ColumnOut>& outs, int64_t batch) {
  std::vector<BufferRef> ranges;
  for (size_t k = 0; k < file.batches.size(); k++) {
    if (batch >= 0 && k != static_cast<size_t>(batch)) continue;
    const Batch& b = file.batches[k];
    for (const ColumnOut& o : outs) {
      if (o.column < 0 || static_cast<size_t>(o.column) >= file.columns.size()) continue;
      const Column& c = file.columns[static_cast<size_t>(o.column)];
      const size_t first = static_cast<size_t>(c.firstBuffer);
      for (size_t i = first; i < first + static_cast<size_t>(c.buffers) && i < b.buffers.size(); i++) {
        if (b.buffers[i].length > 0) ranges.push_back({b.body + b.buffers[i].offset, b.buffers[i].length});
      }
    }
  }
  std::sort(ranges.begin(), ranges.end(), [](const BufferRef& x, const BufferRef& y) { return x.offset < y.offset; });
  std::vector<BufferRef> merged;
  for (const BufferRef& r : ranges) {
    if (!merged.empty() && r.offset <= merged.back().offset + merged.back().length) {
      merged.back().length = std::max(merged.back().length, r.offset + r.length - merged.back().offset);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

}  // namespace kernelbus::arrow
