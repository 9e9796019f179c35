// applyArrowTimes(): the times a Parquet file holds as plain numbers, which only the Arrow schema an
// Arrow writer kept (key ARROW:schema: base64 of an IPC Schema message) marks: timestamp[s] (Parquet
// has no seconds unit: arrow-rs writes plain INT64) and kernelbus's float64 times (field metadata
// kernelbus:type = time, written by writeArrow/writeParquet). A bounds-checked reader of the few
// flatbuffer tables it needs (Message -> Schema -> Field -> Timestamp / KeyValue); a schema it cannot
// read leaves the Parquet types as they are, as the library path does.
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "parquet.hpp"

namespace kernelbus::parquet {
namespace {

/// Base64 (standard alphabet, '=' padding) -> bytes; false on any other character.
bool base64(const std::string& in, std::string& out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  out.clear();
  uint32_t bits = 0;
  int have = 0;
  for (const char c : in) {
    if (c == '=') break;
    const int v = value(c);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if ((have += 6) >= 8) {
      have -= 8;
      out.push_back(static_cast<char>((bits >> have) & 0xff));
    }
  }
  return true;
}

/// A flatbuffer over [0, size): tables, fields, strings and vectors, each read checked against the end.
class Flat {
 public:
  Flat(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  bool ok() const { return ok_; }

  /// The root table's position.
  size_t root() { return offsetAt(0); }
  /// The position of field `id`'s value in the table at `table`, or 0 when absent.
  size_t field(size_t table, int id) {
    const int32_t soffset = i32(table);
    const int64_t vt = static_cast<int64_t>(table) - soffset;
    if (!ok_ || vt < 0 || static_cast<uint64_t>(vt) + 4 > n_) return fail();
    const uint16_t vsize = u16(static_cast<size_t>(vt));
    if (4 + 2 * static_cast<size_t>(id) + 2 > vsize) return 0;
    const uint16_t at = u16(static_cast<size_t>(vt) + 4 + 2 * static_cast<size_t>(id));
    return at == 0 ? 0 : table + at;
  }
  /// The table / string / vector a field's offset points to (0: absent).
  size_t ref(size_t table, int id) {
    const size_t at = field(table, id);
    return at == 0 ? 0 : offsetAt(at);
  }
  uint8_t u8(size_t at) { return in(at, 1) ? p_[at] : 0; }
  uint16_t u16(size_t at) { return read<uint16_t>(at); }
  int32_t i32(size_t at) { return read<int32_t>(at); }
  /// A vector's length (its elements follow, 4 bytes each for tables and strings).
  uint32_t length(size_t vec) { return vec == 0 ? 0 : read<uint32_t>(vec); }
  /// Element i of a vector of tables or strings.
  size_t element(size_t vec, uint32_t i) { return offsetAt(vec + 4 + 4 * static_cast<size_t>(i)); }
  std::string_view string(size_t at) {
    if (at == 0) return {};
    const uint32_t len = read<uint32_t>(at);
    if (!in(at + 4, len)) return {};
    return {reinterpret_cast<const char*>(p_ + at + 4), len};
  }

 private:
  bool in(size_t at, size_t bytes) {
    if (at > n_ || bytes > n_ - at) ok_ = false;
    return ok_;
  }
  template <typename T>
  T read(size_t at) {
    T v{};
    if (in(at, sizeof(T))) std::memcpy(&v, p_ + at, sizeof(T));
    return v;
  }
  size_t offsetAt(size_t at) {
    const uint64_t target = static_cast<uint64_t>(at) + read<uint32_t>(at);
    return ok_ && target < n_ ? static_cast<size_t>(target) : fail();
  }
  size_t fail() {
    ok_ = false;
    return 0;
  }
  const uint8_t* p_;
  size_t n_;
  bool ok_ = true;
};

// Message.fbs / Schema.fbs field ids and enums
enum : int { kMessageHeaderType = 1, kMessageHeader = 2 };
enum : int { kSchemaFields = 1 };
enum : int { kFieldName = 0, kFieldTypeType = 2, kFieldType = 3, kFieldMetadata = 6 };
constexpr uint8_t kHeaderSchema = 1, kTypeFloatingPoint = 3, kTypeTimestamp = 10;
constexpr uint16_t kUnitSecond = 0;  // TimeUnit SECOND, Timestamp.unit's default

/// The field's custom_metadata holds kernelbus:type = time.
bool markedTime(Flat& f, size_t field) {
  const size_t pairs = f.ref(field, kFieldMetadata);
  for (uint32_t i = 0, n = f.length(pairs); i < n && f.ok(); i++) {
    const size_t kv = f.element(pairs, i);
    if (f.string(f.ref(kv, 0)) == "kernelbus:type" && f.string(f.ref(kv, 1)) == "time") return true;
  }
  return false;
}

}  // namespace

void applyArrowTimes(const std::string& encoded, std::vector<Column>& columns) {
  std::string bytes;
  if (encoded.empty() || !base64(encoded, bytes)) return;
  // an encapsulated message: [0xFFFFFFFF] int32 length, then the flatbuffer
  size_t at = 0;
  uint32_t word = 0;
  if (bytes.size() >= 4) std::memcpy(&word, bytes.data(), 4);
  if (word == 0xFFFFFFFFu) at = 4;
  if (bytes.size() < at + 4) return;
  std::memcpy(&word, bytes.data() + at, 4);
  at += 4;
  if (word > bytes.size() - at) return;
  Flat f(reinterpret_cast<const uint8_t*>(bytes.data()) + at, word);
  const size_t message = f.root();
  const size_t headerType = f.field(message, kMessageHeaderType);
  if (!f.ok() || headerType == 0 || f.u8(headerType) != kHeaderSchema) return;
  const size_t fields = f.ref(f.ref(message, kMessageHeader), kSchemaFields);
  for (uint32_t i = 0, n = f.length(fields); i < n && f.ok(); i++) {
    const size_t field = f.element(fields, i);
    const std::string_view name = f.string(f.ref(field, kFieldName));
    const size_t typeType = f.field(field, kFieldTypeType);
    const uint8_t type = typeType == 0 ? 0 : f.u8(typeType);
    bool seconds = false;
    const size_t typeTable = f.ref(field, kFieldType);
    if (type == kTypeTimestamp && typeTable != 0) {
      const size_t unit = f.field(typeTable, 0);
      seconds = (unit == 0 ? kUnitSecond : f.u16(unit)) == kUnitSecond;
    }
    const bool floatTime = type == kTypeFloatingPoint && markedTime(f, field);
    if (!f.ok()) return;
    if (!seconds && !floatTime) continue;
    for (Column& c : columns) {
      if (c.name != name || c.kind != Kind::Number || c.convert != Convert::None || !c.unsupported.empty()) continue;
      if (seconds && c.physical != kInt64) continue;
      c.kind = Kind::Time;
      if (seconds) c.convert = Convert::Seconds;
    }
  }
}

}  // namespace kernelbus::parquet
