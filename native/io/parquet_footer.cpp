// The footer (FileMetaData) and page headers of a Parquet file, read with the compact protocol
// (parquet_thrift.hpp). Field ids are parquet.thrift's (apache/parquet-format); unknown fields are skipped.
#include <string>
#include <string_view>
#include <vector>

#include "parquet.hpp"
#include "parquet_thrift.hpp"

namespace kernelbus::parquet {
namespace {

// SchemaElement, as far as a flat schema needs it.
struct SchemaElement {
  int type = -1;
  int typeLength = 0;
  int repetition = 0;  // 0 REQUIRED, 1 OPTIONAL, 2 REPEATED
  std::string name;
  int numChildren = 0;
  int converted = -1;
  // LogicalType (a union: the member's field id) and the parts of it read here
  int logical = 0;
  int timeUnit = 0;  // TimestampType / TimeType unit: 1 MILLIS, 2 MICROS, 3 NANOS
  int intBits = 0;
  bool intSigned = true;
};

// A union holding an empty struct (TimeUnit): the member's field id.
int unionMember(Thrift& t) {
  int type = 0, id = 0, member = 0;
  while (t.field(type, id, id)) {
    if (type == kTStruct && member == 0) member = id;
    t.skip(type);
  }
  return member;
}

void readLogicalType(Thrift& t, SchemaElement& e) {
  int type = 0, id = 0;
  while (t.field(type, id, id)) {
    if (type != kTStruct) {
      t.skip(type);
      continue;
    }
    e.logical = id;
    int ft = 0, fid = 0;
    while (t.field(ft, fid, fid)) {
      if ((id == 7 || id == 8) && fid == 2 && ft == kTStruct) {
        e.timeUnit = unionMember(t);  // TimeType / TimestampType: 1 isAdjustedToUTC, 2 unit
      } else if (id == 10 && fid == 1 && ft == kTByte) {
        e.intBits = static_cast<int8_t>(t.byte());  // IntType: 1 bitWidth, 2 isSigned
      } else if (id == 10 && fid == 2 && (ft == kTTrue || ft == kTFalse)) {
        e.intSigned = Thrift::boolOf(ft);
      } else {
        t.skip(ft);
      }
    }
  }
}

SchemaElement readSchemaElement(Thrift& t) {
  SchemaElement e;
  int type = 0, id = 0;
  while (t.field(type, id, id)) {
    if (id == 1 && type == kTI32) {
      e.type = t.i32();
    } else if (id == 2 && type == kTI32) {
      e.typeLength = t.i32();
    } else if (id == 3 && type == kTI32) {
      e.repetition = t.i32();
    } else if (id == 4 && type == kTBinary) {
      e.name = std::string(t.binary());
    } else if (id == 5 && type == kTI32) {
      e.numChildren = t.i32();
    } else if (id == 6 && type == kTI32) {
      e.converted = t.i32();
    } else if (id == 10 && type == kTStruct) {
      readLogicalType(t, e);
    } else {
      t.skip(type);
    }
  }
  return e;
}

// ColumnMetaData's fields used here.
struct ChunkMeta {
  int type = -1;
  int codec = -1;
  int64_t numValues = -1;
  int64_t compressedSize = -1;
  int64_t dataPageOffset = -1;
  int64_t dictionaryPageOffset = -1;
  std::vector<std::string> path;
};

ChunkMeta readColumnMetaData(Thrift& t) {
  ChunkMeta m;
  int type = 0, id = 0;
  while (t.field(type, id, id)) {
    if (id == 1 && type == kTI32) {
      m.type = t.i32();
    } else if (id == 3 && type == kTList) {
      int et = 0;
      const size_t n = t.list(et);
      for (size_t i = 0; i < n; i++) {
        if (et != kTBinary) corrupt(t.what() + ": path_in_schema is not a list of strings");
        m.path.emplace_back(t.binary());
      }
    } else if (id == 4 && type == kTI32) {
      m.codec = t.i32();
    } else if (id == 5 && type == kTI64) {
      m.numValues = t.zigzag();
    } else if (id == 7 && type == kTI64) {
      m.compressedSize = t.zigzag();
    } else if (id == 9 && type == kTI64) {
      m.dataPageOffset = t.zigzag();
    } else if (id == 11 && type == kTI64) {
      m.dictionaryPageOffset = t.zigzag();
    } else {
      t.skip(type);
    }
  }
  return m;
}

ChunkMeta readColumnChunk(Thrift& t) {
  ChunkMeta m;
  bool haveMeta = false;
  int type = 0, id = 0;
  while (t.field(type, id, id)) {
    if (id == 1 && type == kTBinary) {
      unsupported("a column chunk in another file (file_path " + std::string(t.binary()) + ")");
    } else if (id == 3 && type == kTStruct) {
      m = readColumnMetaData(t);
      haveMeta = true;
    } else if ((id == 8 || id == 9) && type == kTStruct) {
      unsupported("an encrypted column");
    } else {
      t.skip(type);
    }
  }
  if (!haveMeta) corrupt("a column chunk without its metadata");
  return m;
}

struct RowGroupMeta {
  int64_t rows = -1;
  std::vector<ChunkMeta> chunks;
};

RowGroupMeta readRowGroup(Thrift& t) {
  RowGroupMeta g;
  int type = 0, id = 0;
  while (t.field(type, id, id)) {
    if (id == 1 && type == kTList) {
      int et = 0;
      const size_t n = t.list(et);
      if (et != kTStruct) corrupt("the footer: row group columns are not structs");
      g.chunks.reserve(n);
      for (size_t i = 0; i < n; i++) g.chunks.push_back(readColumnChunk(t));
    } else if (id == 3 && type == kTI64) {
      g.rows = t.zigzag();
    } else {
      t.skip(type);
    }
  }
  return g;
}

// What a leaf becomes, or why it is not decoded here (Column::unsupported).
void classify(const SchemaElement& e, Column& c) {
  c.name = e.name;
  c.physical = e.type;
  c.optional = e.repetition == 1;
  const int lt = e.logical, ct = e.converted;
  auto refuse = [&](const std::string& why) { c.unsupported = "column " + e.name + ": " + why; };
  if (lt == 5 || ct == 5) return refuse("DECIMAL");
  switch (e.type) {
    case kBoolean:
    case kFloat:
    case kDouble:
      c.kind = Kind::Number;
      return;
    case kInt32:
    case kInt64: {
      c.kind = Kind::Number;
      if (lt == 6 || ct == 6) {
        if (e.type != kInt32) return refuse("DATE stored as INT64");
        c.kind = Kind::Time;
        c.convert = Convert::Days;
      } else if (lt == 8 || ct == 9 || ct == 10) {
        if (e.type != kInt64) return refuse("TIMESTAMP stored as INT32");
        const int unit = lt == 8 ? e.timeUnit : ct == 9 ? 1 : 2;
        c.kind = Kind::Time;
        c.convert = unit == 1 ? Convert::Millis : unit == 2 ? Convert::Micros : unit == 3 ? Convert::Nanos : Convert::None;
        if (c.convert == Convert::None) return refuse("TIMESTAMP of an unknown unit");
      } else if (lt == 7 || ct == 7 || ct == 8) {
        return refuse("TIME (time of day)");
      } else if ((lt == 10 && !e.intSigned) || (ct >= 11 && ct <= 14)) {
        c.convert = Convert::Unsigned;
      } else if (lt != 0 && lt != 10) {
        return refuse("logical type " + std::to_string(lt) + " on an integer");
      }
      return;
    }
    case kInt96:
      c.kind = Kind::Time;
      c.convert = Convert::Int96;
      return;
    case kByteArray:
      if (lt == 0 || lt == 1 || lt == 4 || lt == 12 || lt == 13) {
        c.kind = Kind::Text;  // STRING, ENUM, JSON, BSON, or plain binary: text (invalid UTF-8 reads as U+FFFD)
        return;
      }
      return refuse("logical type " + std::to_string(lt) + " on BYTE_ARRAY");
    case kFixed:
      return refuse("FIXED_LEN_BYTE_ARRAY");
    default:
      return refuse("physical type " + std::to_string(e.type));
  }
}

void readMetaData(Thrift& t, std::vector<SchemaElement>& schema, int64_t& rows, std::vector<RowGroupMeta>& groups,
                  std::string& arrowSchema) {
  int type = 0, id = 0;
  bool haveRows = false;
  while (t.field(type, id, id)) {
    if (id == 2 && type == kTList) {
      int et = 0;
      const size_t n = t.list(et);
      if (et != kTStruct) corrupt("the footer: the schema is not a list of structs");
      schema.reserve(n);
      for (size_t i = 0; i < n; i++) schema.push_back(readSchemaElement(t));
    } else if (id == 3 && type == kTI64) {
      rows = t.zigzag();
      haveRows = true;
    } else if (id == 4 && type == kTList) {
      int et = 0;
      const size_t n = t.list(et);
      if (et != kTStruct) corrupt("the footer: row groups are not structs");
      groups.reserve(n);
      for (size_t i = 0; i < n; i++) groups.push_back(readRowGroup(t));
    } else if (id == 5 && type == kTList) {
      // key_value_metadata: KeyValue { 1: key, 2: value }; Arrow writers keep their schema under ARROW:schema
      int et = 0;
      const size_t n = t.list(et);
      if (et != kTStruct) corrupt("the footer: key-value metadata are not structs");
      for (size_t i = 0; i < n; i++) {
        int ft = 0, fid = 0;
        std::string_view key, value;
        while (t.field(ft, fid, fid)) {
          if (fid == 1 && ft == kTBinary) {
            key = t.binary();
          } else if (fid == 2 && ft == kTBinary) {
            value = t.binary();
          } else {
            t.skip(ft);
          }
        }
        if (key == "ARROW:schema") arrowSchema = std::string(value);
      }
    } else {
      t.skip(type);
    }
  }
  if (!haveRows) corrupt("the footer has no row count");
}

void footerOf(const uint8_t* data, size_t size, Footer& footer) {
  if (size < 12) corrupt("a file of " + std::to_string(size) + " bytes (a Parquet file has at least 12)");
  if (std::memcmp(data + size - 4, "PARE", 4) == 0) unsupported("an encrypted footer (PARE)");
  if (std::memcmp(data, "PAR1", 4) != 0 || std::memcmp(data + size - 4, "PAR1", 4) != 0) {
    corrupt("no PAR1 magic at the start and end of the file");
  }
  const uint32_t footerLength = static_cast<uint32_t>(data[size - 8]) | static_cast<uint32_t>(data[size - 7]) << 8 |
                                static_cast<uint32_t>(data[size - 6]) << 16 | static_cast<uint32_t>(data[size - 5]) << 24;
  if (footerLength > size - 12) {
    corrupt("a footer of " + std::to_string(footerLength) + " bytes in a file of " + std::to_string(size) + " bytes");
  }
  const uint8_t* end = data + size - 8;
  Thrift t(end - footerLength, end, "the footer");
  std::vector<SchemaElement> schema;
  std::vector<RowGroupMeta> groups;
  int64_t rows = 0;
  std::string arrowSchema;
  readMetaData(t, schema, rows, groups, arrowSchema);
  if (rows < 0) corrupt("the footer's row count is negative");
  if (schema.empty()) corrupt("the footer has no schema");
  // Flat: the root's children are leaves, none repeated.
  const SchemaElement& root = schema[0];
  if (root.numChildren < 0 || static_cast<size_t>(root.numChildren) != schema.size() - 1) {
    unsupported("a nested schema (the root has " + std::to_string(root.numChildren) + " children of " + std::to_string(schema.size() - 1) +
                " schema elements)");
  }
  footer = Footer{};
  footer.rows = rows;
  footer.arrowSchema = std::move(arrowSchema);
  for (size_t i = 1; i < schema.size(); i++) {
    const SchemaElement& e = schema[i];
    if (e.numChildren > 0) unsupported("a nested schema (column " + e.name + " is a group)");
    if (e.repetition == 2) unsupported("a repeated column (" + e.name + ")");
    if (e.repetition < 0 || e.repetition > 2) corrupt("column " + e.name + " has repetition " + std::to_string(e.repetition));
    Column c;
    classify(e, c);
    footer.columns.push_back(std::move(c));
  }
  applyArrowTimes(footer.arrowSchema, footer.columns);
  const size_t nColumns = footer.columns.size();
  const uint64_t fileEnd = size - 8 - footerLength;
  uint64_t firstRow = 0;
  for (size_t g = 0; g < groups.size(); g++) {
    const RowGroupMeta& m = groups[g];
    const std::string where = "row group " + std::to_string(g);
    if (m.rows < 0) corrupt(where + " has a negative row count");
    if (m.chunks.size() != nColumns) {
      corrupt(where + " has " + std::to_string(m.chunks.size()) + " column chunks for " + std::to_string(nColumns) + " columns");
    }
    RowGroup group;
    group.rows = m.rows;
    group.firstRow = firstRow;
    firstRow += static_cast<uint64_t>(m.rows);
    if (firstRow > static_cast<uint64_t>(rows)) corrupt("the row groups hold more rows than the footer's " + std::to_string(rows));
    for (size_t c = 0; c < nColumns; c++) {
      const ChunkMeta& cm = m.chunks[c];
      Column& column = footer.columns[c];
      const std::string at = where + ", column " + column.name;
      if (cm.type != column.physical) corrupt(at + ": the chunk's type differs from the schema's");
      if (cm.path.size() != 1 || cm.path[0] != column.name) corrupt(at + ": the chunk's path differs from the schema's");
      if (cm.compressedSize < 0 || cm.dataPageOffset < 0 || cm.numValues < 0) corrupt(at + ": a negative size or offset");
      Chunk chunk;
      chunk.codec = cm.codec;
      chunk.values = cm.numValues;
      // The chunk starts at its dictionary page, when there is one (writers put it first; some write 0 for none).
      int64_t begin = cm.dataPageOffset;
      if (cm.dictionaryPageOffset > 0 && cm.dictionaryPageOffset < begin) begin = cm.dictionaryPageOffset;
      chunk.begin = static_cast<uint64_t>(begin);
      chunk.size = static_cast<uint64_t>(cm.compressedSize);
      if (m.rows == 0)
        chunk = Chunk{cm.codec, 0, 0, 0};  // an empty row group: nothing is read (writers leave offsets 0)
      else if (chunk.begin < 4 || chunk.begin > fileEnd || chunk.size > fileEnd - chunk.begin) {
        corrupt(at + ": its pages (bytes " + std::to_string(chunk.begin) + " + " + std::to_string(chunk.size) +
                ") lie outside the file's data (bytes 4 to " + std::to_string(fileEnd) + ")");
      }
      if (column.unsupported.empty() && cm.codec != 0 && cm.codec != 1 && cm.codec != 6 && cm.codec != 7) {
        static const char* const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
        column.unsupported = "column " + column.name + ": the " +
                             (cm.codec >= 0 && cm.codec < 8 ? std::string(names[cm.codec]) : "codec " + std::to_string(cm.codec)) +
                             " codec";
      }
      group.chunks.push_back(chunk);
    }
    footer.rowGroups.push_back(std::move(group));
  }
  if (firstRow != static_cast<uint64_t>(rows)) {
    corrupt("the row groups hold " + std::to_string(firstRow) + " rows, the footer says " + std::to_string(rows));
  }
}

}  // namespace

Result readFooter(const uint8_t* data, size_t size, Footer& footer) {
  try {
    footerOf(data, size, footer);
    return {};
  } catch (const ParquetError& e) {
    return {e.code, e.what()};
  }
}

size_t readPageHeader(const uint8_t* begin, const uint8_t* end, uint64_t offset, PageHeader& h) {
  Thrift t(begin, end, "the page header at byte " + std::to_string(offset));
  int type = 0, id = 0;
  while (t.field(type, id, id)) {
    if (id == 1 && type == kTI32) {
      h.type = t.i32();
    } else if (id == 2 && type == kTI32) {
      h.uncompressedSize = t.i32();
    } else if (id == 3 && type == kTI32) {
      h.compressedSize = t.i32();
    } else if ((id == 5 || id == 7) && type == kTStruct) {
      // DataPageHeader: 1 num_values, 2 encoding, 3 definition_level_encoding; DictionaryPageHeader: 1, 2
      int ft = 0, fid = 0;
      while (t.field(ft, fid, fid)) {
        if (fid == 1 && ft == kTI32) {
          h.numValues = t.i32();
        } else if (fid == 2 && ft == kTI32) {
          h.encoding = t.i32();
        } else if (id == 5 && fid == 3 && ft == kTI32) {
          h.defEncoding = t.i32();
        } else {
          t.skip(ft);
        }
      }
    } else if (id == 8 && type == kTStruct) {
      // DataPageHeaderV2: 1 num_values, 2 num_nulls, 3 num_rows, 4 encoding, 5/6 level bytes, 7 is_compressed
      int ft = 0, fid = 0;
      while (t.field(ft, fid, fid)) {
        if (fid == 1 && ft == kTI32) {
          h.numValues = t.i32();
        } else if (fid == 2 && ft == kTI32) {
          h.numNulls = t.i32();
        } else if (fid == 4 && ft == kTI32) {
          h.encoding = t.i32();
        } else if (fid == 5 && ft == kTI32) {
          h.defBytes = t.i32();
        } else if (fid == 6 && ft == kTI32) {
          h.repBytes = t.i32();
        } else if (fid == 7 && (ft == kTTrue || ft == kTFalse)) {
          h.compressed = Thrift::boolOf(ft);
        } else {
          t.skip(ft);
        }
      }
    } else {
      t.skip(type);
    }
  }
  if (h.uncompressedSize < 0 || h.compressedSize < 0) corrupt(t.what() + " has no (or a negative) page size");
  return t.consumed();
}

}  // namespace kernelbus::parquet
