// The native Arrow IPC reader's glue (native/io/arrow.hpp): two calls, no state between them.
//   arrowOpen(bytes) -> { code, message, rows, batchRows, names, kinds, units, reasons, inPlace, nanFree }
//   arrowDecode(bytes, columns, outs, batch) -> { code, message, dictionaries, read }   (batch -1: all of them)
// code: 0 ok, 1 corrupt, 2 unsupported (message says what); src/io/arrow-native.ts turns them into a
// Table, a KernelInputError or a fallback. inPlace[b * columns + i]: the byte offset of column i's
// float64 values in batch b when they can be viewed where they lie, else -1 (empty for a file of more
// than 64 batches). nanFree[i]: column i decodes to numbers that cannot be NaN (arrow::nanFree).
// read: [offset, length, ...], the byte ranges the decode read (arrow::decodedRanges), which the caller
// hands back when the bytes are a mapped file. The outputs are the caller's typed arrays.
#include <string>
#include <vector>

#include "arrow.hpp"
#include "common.h"

namespace kernelbus::binding {
namespace {

/// The most record batches of a file whose in-place offsets arrowOpen() lists (src/io/arrow-native.ts).
constexpr size_t kChunkBatches = 64;

Napi::Object resultObject(Napi::Env env, const arrow::Result& r) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("code", Napi::Number::New(env, static_cast<int>(r.code)));
  out.Set("message", Napi::String::New(env, r.message));
  return out;
}

const char* unitName(const arrow::Column& c) {
  static const char* const units[] = {"s", "ms", "us", "ns"};
  if (c.type == arrow::Type::Timestamp && c.unit >= 0 && c.unit <= 3) return units[c.unit];
  if (c.type == arrow::Type::Date32 || c.type == arrow::Type::Date64) return "ms";
  return "";
}

// arrowOpen(bytes: Uint8Array)
Napi::Value ArrowOpen(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 1);
    const U8View bytes = uint8Arg(info, 0, "bytes");
    arrow::File file;
    arrow::Result r = arrow::readFile(bytes.data, bytes.length, file);
    if (r.code == arrow::Result::Ok && !file.unsupported.empty()) r = {arrow::Result::Unsupported, file.unsupported};
    Napi::Object out = resultObject(env, r);
    if (r.code != arrow::Result::Ok) return out;
    const auto n = static_cast<uint32_t>(file.columns.size());
    Napi::Array names = Napi::Array::New(env, n), kinds = Napi::Array::New(env, n), units = Napi::Array::New(env, n);
    // in-place offsets for readArrowChunks, which reads natively files of at most kChunkBatches batches
    const size_t viewed = file.batches.size() <= kChunkBatches ? file.batches.size() : 0;
    Napi::Array reasons = Napi::Array::New(env, n), inPlace = Napi::Array::New(env, n * viewed), nanFree = Napi::Array::New(env, n);
    for (uint32_t i = 0; i < n; i++) {
      const arrow::Column& c = file.columns[i];
      names.Set(i, Napi::String::New(env, c.name));
      kinds.Set(i, Napi::Number::New(env, static_cast<int>(c.kind)));
      units.Set(i, Napi::String::New(env, unitName(c)));
      reasons.Set(i, Napi::String::New(env, c.unsupported));
      nanFree.Set(i, Napi::Boolean::New(env, arrow::nanFree(file, i)));
    }
    for (size_t b = 0; b < viewed; b++) {
      for (uint32_t i = 0; i < n; i++) {
        inPlace.Set(static_cast<uint32_t>(b * n + i), Napi::Number::New(env, static_cast<double>(arrow::float64InPlace(file, i, b))));
      }
    }
    out.Set("rows", Napi::Number::New(env, static_cast<double>(file.rows)));
    Napi::Array batchRows = Napi::Array::New(env, file.batches.size());
    for (size_t b = 0; b < file.batches.size(); b++)
      batchRows.Set(static_cast<uint32_t>(b), Napi::Number::New(env, static_cast<double>(file.batches[b].length)));
    out.Set("batchRows", batchRows);
    out.Set("names", names);
    out.Set("kinds", kinds);
    out.Set("units", units);
    out.Set("reasons", reasons);
    out.Set("inPlace", inPlace);
    out.Set("nanFree", nanFree);
    return out;
  });
}

// arrowDecode(bytes: Uint8Array, columns: Int32Array, outs: (Float64Array | Int32Array)[], batch: number)
Napi::Value ArrowDecode(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 4);
    const double batchArg = numberArg(info, 3, "batch");
    if (!(batchArg >= -1 && batchArg < 4294967296.0 && batchArg == static_cast<double>(static_cast<int64_t>(batchArg)))) {
      throw inputError(env, "batch", "-1 or a batch index", info[3].ToString().Utf8Value());
    }
    const auto batch = static_cast<int64_t>(batchArg);
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      throw inputError(env, "columns", "an Int32Array", describeValue(info[1]));
    }
    if (!info[2].IsArray()) throw inputError(env, "outs", "an Array of Float64Array / Int32Array", describeValue(info[2]));
    Napi::Array outArray = info[2].As<Napi::Array>();
    Napi::Int32Array columns = info[1].As<Napi::Int32Array>();
    if (outArray.Length() != columns.ElementLength()) {
      throw inputError(env, "outs", "one array per column (" + std::to_string(columns.ElementLength()) + ")",
                       std::to_string(outArray.Length()));
    }
    std::vector<Napi::TypedArray> arrays;
    for (uint32_t i = 0; i < outArray.Length(); i++) {
      Napi::Value v = outArray.Get(i);
      const std::string name = "outs[" + std::to_string(i) + "]";
      if (!v.IsTypedArray()) throw inputError(env, name, "a Float64Array or Int32Array", describeValue(v));
      arrays.push_back(v.As<Napi::TypedArray>());
    }
    // pointers last
    const U8View bytes = uint8Arg(info, 0, "bytes");
    arrow::File file;
    arrow::Result r = arrow::readFile(bytes.data, bytes.length, file);
    if (r.code != arrow::Result::Ok) return resultObject(env, r);
    if (batch >= static_cast<int64_t>(file.batches.size())) {
      throw inputError(env, "batch", "-1 or a batch index below " + std::to_string(file.batches.size()), std::to_string(batch));
    }
    const int64_t rows = batch < 0 ? file.rows : file.batches[static_cast<size_t>(batch)].length;
    std::vector<arrow::ColumnOut> outs(arrays.size());
    for (size_t i = 0; i < arrays.size(); i++) {
      const int32_t column = columns[i];
      const std::string name = "outs[" + std::to_string(i) + "]";
      if (column < 0 || static_cast<size_t>(column) >= file.columns.size()) {
        throw inputError(env, "columns[" + std::to_string(i) + "]", "a column index below " + std::to_string(file.columns.size()),
                         std::to_string(column));
      }
      for (size_t j = 0; j < i; j++)
        if (outs[j].column == column) throw inputError(env, "columns[" + std::to_string(i) + "]", "each column once", "a repeat");
      const bool text = file.columns[static_cast<size_t>(column)].kind == arrow::Kind::Text;
      if (arrays[i].TypedArrayType() != (text ? napi_int32_array : napi_float64_array))
        throw inputError(env, name, text ? "an Int32Array" : "a Float64Array", describeValue(arrays[i]));
      if (arrays[i].ElementLength() != static_cast<size_t>(rows)) {
        throw inputError(env, name, "length " + std::to_string(rows), "length " + std::to_string(arrays[i].ElementLength()));
      }
      outs[i].column = column;
      outs[i].length = arrays[i].ElementLength();
      if (text) {
        outs[i].codes = arrays[i].As<Napi::Int32Array>().Data();
      } else {
        outs[i].numbers = arrays[i].As<Napi::Float64Array>().Data();
      }
    }
    r = arrow::decodeColumns(bytes.data, bytes.length, file, outs, batch);
    Napi::Object out = resultObject(env, r);
    if (r.code != arrow::Result::Ok) return out;
    Napi::Array dictionaries = Napi::Array::New(env, outs.size());
    for (size_t i = 0; i < outs.size(); i++) {
      if (!outs[i].codes) {
        dictionaries.Set(static_cast<uint32_t>(i), env.Null());
        continue;
      }
      const std::vector<std::string>& values = outs[i].dictionary;
      Napi::Array strings = Napi::Array::New(env, values.size());
      for (size_t k = 0; k < values.size(); k++) strings.Set(static_cast<uint32_t>(k), Napi::String::New(env, values[k]));
      dictionaries.Set(static_cast<uint32_t>(i), strings);
    }
    out.Set("dictionaries", dictionaries);
    const std::vector<arrow::BufferRef> ranges = arrow::decodedRanges(file, outs, batch);
    Napi::Array read = Napi::Array::New(env, 2 * ranges.size());
    for (size_t i = 0; i < ranges.size(); i++) {
      read.Set(static_cast<uint32_t>(2 * i), Napi::Number::New(env, static_cast<double>(ranges[i].offset)));
      read.Set(static_cast<uint32_t>(2 * i + 1), Napi::Number::New(env, static_cast<double>(ranges[i].length)));
    }
    out.Set("read", read);
    return out;
  });
}

}  // namespace

void registerArrow(Napi::Env env, Napi::Object exports) {
  exports.Set("arrowOpen", Napi::Function::New<ArrowOpen>(env, "arrowOpen"));
  exports.Set("arrowDecode", Napi::Function::New<ArrowDecode>(env, "arrowDecode"));
}

}  // namespace kernelbus::binding
