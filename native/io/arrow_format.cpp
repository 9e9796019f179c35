// readFile(): the schema and every message header of an Arrow IPC file or stream (format/Schema.fbs,
// Message.fbs, File.fbs of apache/arrow). Nothing of a body is read here except where its buffers lie.
#include <algorithm>
#include <limits>
#include <unordered_map>

#include "arrow.hpp"
#include "arrow_flatbuf.hpp"

namespace kernelbus::arrow {
namespace {

// MessageHeader union
constexpr uint8_t kSchema = 1, kDictionaryBatch = 2, kRecordBatch = 3;
// Type union
enum TypeId : uint8_t {
  kNull = 1,
  kInt = 2,
  kFloatingPoint = 3,
  kBinary = 4,
  kUtf8 = 5,
  kBool = 6,
  kDecimal = 7,
  kDate = 8,
  kTime = 9,
  kTimestamp = 10,
  kInterval = 11,
  kFixedSizeBinary = 15,
  kDuration = 18,
  kLargeBinary = 19,
  kLargeUtf8 = 20,
};
constexpr char kMagic[6] = {'A', 'R', 'R', 'O', 'W', '1'};

/// A message's place in the bytes: its flatbuffer [meta, meta + metaLength), then its body.
struct Framed {
  bool end = false;  // the end-of-stream marker (a length of 0)
  size_t meta = 0, metaLength = 0, body = 0;
};

/// The message prefix at `at`: 0xFFFFFFFF and an int32 length, or (before Arrow 0.15) the length alone.
Framed frame(const uint8_t* data, size_t size, size_t at) {
  if (at > size || size - at < 4) corrupt("a message prefix cut short", at);
  Framed f;
  size_t p = at + 4;
  int32_t length = load<int32_t>(data + at);
  if (length == -1) {
    if (size - p < 4) corrupt("a message prefix cut short", at);
    length = load<int32_t>(data + p);
    p += 4;
  }
  if (length == 0) {
    f.end = true;
    return f;
  }
  if (length < 0 || static_cast<size_t>(length) > size - p) {
    corrupt("a message of " + std::to_string(length) + " metadata bytes past the end of the file", at);
  }
  f.meta = p;
  f.metaLength = static_cast<size_t>(length);
  f.body = p + f.metaLength;
  return f;
}

int typeBuffers(uint8_t type) {
  switch (type) {
    case kNull:
      return 0;
    case kBinary:
    case kUtf8:
    case kLargeBinary:
    case kLargeUtf8:
      return 3;
    case kInt:
    case kFloatingPoint:
    case kBool:
    case kDecimal:
    case kDate:
    case kTime:
    case kTimestamp:
    case kInterval:
    case kFixedSizeBinary:
    case kDuration:
      return 2;
    default:
      return -1;  // nested, union, views, run-end encoded: not flat
  }
}

/// Sets column.type (and its width, sign, unit) from a Type union member, or column.unsupported.
void readType(uint8_t id, const Table& t, Column& c) {
  switch (id) {
    case kNull:
      c.type = Type::Null;
      return;
    case kBool:
      c.type = Type::Bool;
      return;
    case kUtf8:
      c.type = Type::Utf8;
      return;
    case kLargeUtf8:
      c.type = Type::LargeUtf8;
      return;
    case kInt:
      c.type = Type::Int;
      c.bitWidth = t.scalar<int32_t>(0, 0);
      c.isSigned = t.scalar<uint8_t>(1, 0) != 0;
      if (c.bitWidth != 8 && c.bitWidth != 16 && c.bitWidth != 32 && c.bitWidth != 64) {
        c.unsupported = "an integer of " + std::to_string(c.bitWidth) + " bits";
      }
      return;
    case kFloatingPoint: {
      const int16_t precision = t.scalar<int16_t>(0, 0);
      c.type = Type::Float;
      c.bitWidth = precision == 1 ? 32 : 64;
      if (precision != 1 && precision != 2) c.unsupported = "a half-precision float column";
      return;
    }
    case kDate:
      c.type = t.scalar<int16_t>(0, 1) == 0 ? Type::Date32 : Type::Date64;
      return;
    case kTimestamp:
      c.type = Type::Timestamp;
      c.unit = t.scalar<int16_t>(0, 0);
      if (c.unit < 0 || c.unit > 3) c.unsupported = "a timestamp of unit " + std::to_string(c.unit);
      return;
    default:
      c.unsupported = "a column of Arrow type " + std::to_string(id);
  }
}

Column readField(const Table& field, File& file) {
  Column c;
  c.name = std::string(field.string(0));
  const uint8_t typeId = field.scalar<uint8_t>(2, 0);
  readType(typeId, field.table(3), c);
  size_t children = 0;
  field.vector(5, 4, children);
  const int buffers = typeBuffers(typeId);
  if (children > 0)
    file.unsupported = "a nested column (\"" + c.name + "\")";
  else if (buffers < 0)
    file.unsupported = "a column of Arrow type " + std::to_string(typeId) + " (\"" + c.name + "\")";
  c.buffers = buffers < 0 ? 0 : buffers;
  const Table dictionary = field.table(4);
  if (dictionary.valid()) {
    c.dictionary = true;
    c.buffers = 2;
    c.dictionaryId = dictionary.scalar<int64_t>(0, 0);
    const Table index = dictionary.table(1);
    c.indexWidth = index.valid() ? index.scalar<int32_t>(0, 0) : 32;
    c.indexSigned = index.valid() ? index.scalar<uint8_t>(1, 0) != 0 : true;
    if (c.indexWidth != 8 && c.indexWidth != 16 && c.indexWidth != 32 && c.indexWidth != 64) {
      c.unsupported = "a dictionary index of " + std::to_string(c.indexWidth) + " bits";
    } else if (c.unsupported.empty() && c.type != Type::Utf8 && c.type != Type::LargeUtf8) {
      c.unsupported = "a dictionary of other values than strings";
    }
  }
  bool timeMetadata = false;
  size_t pairs = 0;
  const size_t first = field.vector(6, 4, pairs);
  for (size_t i = 0; i < pairs; i++) {
    const Table kv = field.element(first, i);
    if (kv.string(0) == "kernelbus:type" && kv.string(1) == "time") timeMetadata = true;
  }
  if (c.type == Type::Utf8 || c.type == Type::LargeUtf8) {
    c.kind = Kind::Text;
  } else if (c.type == Type::Timestamp || c.type == Type::Date32 || c.type == Type::Date64) {
    c.kind = Kind::Time;
  } else if (c.type == Type::Float && timeMetadata) {
    c.kind = Kind::Time;
  }
  return c;
}

void readSchema(const Table& schema, File& file) {
  if (!schema.valid()) corrupt("no schema", 0);
  if (schema.scalar<int16_t>(0, 0) != 0) file.unsupported = "a big-endian file";
  size_t count = 0;
  const size_t first = schema.vector(1, 4, count);
  int buffer = 0;
  for (size_t i = 0; i < count; i++) {
    Column c = readField(schema.element(first, i), file);
    c.firstBuffer = buffer;
    buffer += c.buffers;
    file.columns.push_back(std::move(c));
  }
  if (!file.unsupported.empty()) unsupported(file.unsupported);  // its batches' layout is not known here
}

/// A RecordBatch table of a message whose body is [body, body + bodyLength) of the file; `buffers`
/// and `nodes` are what the schema says it holds.
Batch readBatch(const Table& t, uint64_t at, uint64_t body, uint64_t bodyLength, size_t nodes, size_t buffers, size_t fileSize) {
  if (!t.valid()) corrupt("a batch message without its batch", at);
  Batch b;
  b.body = body;
  b.bodyLength = bodyLength;
  b.length = t.scalar<int64_t>(0, 0);
  if (b.length < 0) corrupt("a batch of " + std::to_string(b.length) + " rows", at);
  // every row takes at least a bit of some buffer (a table of Null columns only is left to the library)
  if (static_cast<uint64_t>(b.length) > 8 * static_cast<uint64_t>(fileSize) + 64) unsupported("a batch of more rows than its bytes hold");
  size_t count = 0;
  size_t first = t.vector(1, 16, count);
  if (count != nodes) corrupt("a batch of " + std::to_string(count) + " columns, not " + std::to_string(nodes), at);
  for (size_t i = 0; i < count; i++) {
    const int64_t length = load<int64_t>(t.bytes(first + 16 * i));
    const int64_t nulls = load<int64_t>(t.bytes(first + 16 * i + 8));
    if (length != b.length || nulls < 0 || nulls > length) {
      corrupt("a column of " + std::to_string(length) + " rows and " + std::to_string(nulls) + " nulls in a batch of " +
                  std::to_string(b.length),
              t.offset(first + 16 * i));
    }
    b.nodeLength.push_back(length);
    b.nullCount.push_back(nulls);
  }
  first = t.vector(2, 16, count);
  if (count != buffers) corrupt("a batch of " + std::to_string(count) + " buffers, not " + std::to_string(buffers), at);
  for (size_t i = 0; i < count; i++) {
    const uint64_t offset = load<uint64_t>(t.bytes(first + 16 * i));
    const uint64_t length = load<uint64_t>(t.bytes(first + 16 * i + 8));
    if (offset > bodyLength || length > bodyLength - offset) {
      corrupt("a buffer past the end of its batch's " + std::to_string(bodyLength) + " bytes", t.offset(first + 16 * i));
    }
    b.buffers.push_back({offset, length});
  }
  const Table compression = t.table(3);
  if (compression.valid()) {
    b.codec = compression.scalar<int8_t>(0, 0);
    if (b.codec != 0 && b.codec != 1) unsupported("body compression codec " + std::to_string(b.codec));
    if (compression.scalar<int8_t>(1, 0) != 0) unsupported("a body compression method other than BUFFER");
  }
  return b;
}

class Reader {
 public:
  Reader(const uint8_t* data, size_t size, File& file) : data_(data), size_(size), file_(file) {}

  /// The message at `at`: schema, dictionary or record batch, appended to `file_` in reading order.
  /// Returns the offset after its body, or 0 at the end-of-stream marker.
  size_t message(size_t at, bool schemaAllowed) {
    const Framed f = frame(data_, size_, at);
    if (f.end) return 0;
    metadata_.push_back({at, f.body - at});
    const Flatbuf fb{data_ + f.meta, f.metaLength, f.meta};
    const Table m = Table::root(&fb);
    if (m.scalar<int16_t>(0, 0) < 3) unsupported("Arrow IPC metadata before version 4");
    const uint8_t type = m.scalar<uint8_t>(1, 0);
    const int64_t bodyLength = m.scalar<int64_t>(3, 0);
    if (bodyLength < 0 || static_cast<uint64_t>(bodyLength) > size_ - f.body) {
      corrupt("a message body of " + std::to_string(bodyLength) + " bytes past the end of the file", at);
    }
    const Table header = m.table(2);
    if (type == kSchema && schemaAllowed) {
      schema(header);
    } else if (type == kRecordBatch && !file_.columns.empty()) {
      Batch b = readBatch(header, at, f.body, static_cast<uint64_t>(bodyLength), file_.columns.size(), buffers_, size_);
      if (file_.rows > std::numeric_limits<int64_t>::max() / 2 - b.length) corrupt("more rows than a file holds", at);
      file_.rows += b.length;
      file_.order.push_back({false, file_.batches.size()});
      file_.batches.push_back(std::move(b));
    } else if (type == kDictionaryBatch && !file_.columns.empty()) {
      DictionaryBatch d;
      if (!header.valid()) corrupt("a dictionary message without its batch", at);
      d.id = header.scalar<int64_t>(0, 0);
      d.delta = header.scalar<uint8_t>(2, 0) != 0;
      const auto column = dictionaryColumn_.find(d.id);
      if (column == dictionaryColumn_.end()) corrupt("a dictionary of id " + std::to_string(d.id) + " no column uses", at);
      const int valueBuffers = typeBuffers(column->second->type == Type::LargeUtf8 ? kLargeUtf8 : kUtf8);
      d.data = readBatch(header.table(1), at, f.body, static_cast<uint64_t>(bodyLength), 1, static_cast<size_t>(valueBuffers), size_);
      file_.order.push_back({true, file_.dictionaries.size()});
      file_.dictionaries.push_back(std::move(d));
    } else {
      corrupt("a message of type " + std::to_string(type) + " where " + (schemaAllowed ? "a schema" : "a batch") + " belongs", at);
    }
    return f.body + static_cast<size_t>(bodyLength);
  }

  void stream() {
    file_.stream = true;
    size_t at = message(0, true);
    while (at != 0 && at < size_) at = message(at, false);  // every message advances by >= 8 bytes
  }

  void fileFormat() {
    const size_t n = size_;
    if (n < 8 + 10 || std::memcmp(data_ + n - 6, kMagic, 6) != 0) corrupt("a file without ARROW1 at its end", n < 6 ? 0 : n - 6);
    const int32_t footerLength = load<int32_t>(data_ + n - 10);
    if (footerLength <= 0 || static_cast<size_t>(footerLength) > n - 10 - 8) {
      corrupt("a footer of " + std::to_string(footerLength) + " bytes", n - 10);
    }
    const size_t footerStart = n - 10 - static_cast<size_t>(footerLength);
    metadata_.push_back({footerStart, n - footerStart});
    const Flatbuf fb{data_ + footerStart, static_cast<size_t>(footerLength), footerStart};
    const Table footer = Table::root(&fb);
    // the schema's own message, at byte 8, is not read: the footer's copy stands (as apache-arrow reads it)
    schema(footer.table(1));
    for (int field : {2, 3}) {  // dictionaries, then record batches
      size_t count = 0;
      const size_t first = footer.vector(field, 24, count);
      for (size_t i = 0; i < count; i++) {
        const int64_t offset = load<int64_t>(footer.bytes(first + 24 * i));
        if (offset < 8 || static_cast<uint64_t>(offset) >= footerStart) {
          corrupt("a block at byte " + std::to_string(offset) + ", outside the file's messages", footer.offset(first + 24 * i));
        }
        const size_t before = file_.order.size();
        const size_t end = message(static_cast<size_t>(offset), false);
        if (end == 0 || end > footerStart || file_.order.size() != before + 1 || file_.order.back().dictionary != (field == 2)) {
          corrupt("a block that is not the " + std::string(field == 2 ? "dictionary" : "record batch") + " its footer says",
                  static_cast<uint64_t>(offset));
        }
      }
    }
  }

  /// Marks every record batch buffer whose bytes overlap another buffer (of a record or dictionary
  /// batch) or the metadata read: a sweep over all byte ranges sorted by their start.
  void markShared() {
    struct Range {
      uint64_t begin, end;
      Batch* batch;  // null: metadata or a dictionary's buffer
      size_t buffer;
    };
    std::vector<Range> ranges;
    for (const BufferRef& m : metadata_) ranges.push_back({m.offset, m.offset + m.length, nullptr, 0});
    for (Batch& b : file_.batches) {
      b.shared.assign(b.buffers.size(), 0);
      for (size_t i = 0; i < b.buffers.size(); i++) {
        ranges.push_back({b.body + b.buffers[i].offset, b.body + b.buffers[i].offset + b.buffers[i].length, &b, i});
      }
    }
    for (const DictionaryBatch& d : file_.dictionaries) {
      for (const BufferRef& r : d.data.buffers) ranges.push_back({d.data.body + r.offset, d.data.body + r.offset + r.length, nullptr, 0});
    }
    ranges.erase(std::remove_if(ranges.begin(), ranges.end(), [](const Range& r) { return r.end == r.begin; }), ranges.end());
    std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
    // a range that starts before the furthest end seen overlaps the range of that end (and both are marked);
    // every overlapping pair is caught so: the later one starts before the earlier one's end
    const Range* furthest = nullptr;
    for (const Range& r : ranges) {
      if (furthest != nullptr && r.begin < furthest->end) {
        if (r.batch != nullptr) r.batch->shared[r.buffer] = 1;
        if (furthest->batch != nullptr) furthest->batch->shared[furthest->buffer] = 1;
      }
      if (furthest == nullptr || r.end > furthest->end) furthest = &r;
    }
  }

 private:
  /// Reads the schema: the columns, the buffers a batch holds, the column of each dictionary id.
  void schema(const Table& t) {
    readSchema(t, file_);
    for (const Column& c : file_.columns) {
      buffers_ += static_cast<size_t>(c.buffers);
      if (c.dictionary) dictionaryColumn_.emplace(c.dictionaryId, &c);
    }
  }

  const uint8_t* data_;
  size_t size_;
  File& file_;
  std::vector<BufferRef> metadata_;  // [offset, length) of every message's prefix and flatbuffer, and the footer
  size_t buffers_ = 0;
  std::unordered_map<int64_t, const Column*> dictionaryColumn_;
};

}  // namespace

Result readFile(const uint8_t* data, size_t size, File& file) {
  file = File();
  try {
    Reader reader(data, size, file);
    if (size >= 8 && std::memcmp(data, kMagic, 6) == 0) {
      reader.fileFormat();
    } else {
      reader.stream();
    }
    reader.markShared();
    if (file.columns.empty() && file.unsupported.empty() && !file.stream) corrupt("a schema of no columns", 0);
    return {};
  } catch (const Fault& f) {
    return {f.code, f.message};
  }
}

bool nanFree(const File& file, size_t column) {
  if (column >= file.columns.size()) return false;
  const Column& c = file.columns[column];
  if (c.kind == Kind::Text || c.type == Type::Float || c.type == Type::Null || c.type == Type::Other) return false;
  for (const Batch& b : file.batches) {
    if (column >= b.nullCount.size() || b.nullCount[column] != 0) return false;
  }
  return true;
}

int64_t float64InPlace(const File& file, size_t column, size_t batch) {
  if (batch >= file.batches.size() || column >= file.columns.size()) return -1;
  const Column& c = file.columns[column];
  const Batch& b = file.batches[batch];
  if (c.type != Type::Float || c.bitWidth != 64 || c.dictionary || b.codec != -1 || b.nullCount[column] != 0) return -1;
  const size_t index = static_cast<size_t>(c.firstBuffer) + 1;
  if (b.shared[index] != 0) return -1;
  const BufferRef& values = b.buffers[index];
  if (values.length / 8 < static_cast<uint64_t>(b.length)) return -1;
  return static_cast<int64_t>(b.body + values.offset);
}

}  // namespace kernelbus::arrow
