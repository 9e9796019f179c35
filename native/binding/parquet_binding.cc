// The native Parquet reader's glue (native/io/parquet.hpp): two calls, no state between them.
//   parquetFooter(bytes) -> { code, message, rows, names, kinds, units, reasons }
//   parquetDecode(bytes, columns, outs) -> { code, message, dictionaries }
//   parquetReadFile(path, out) -> bytes read (a file into a Uint8Array the caller allocated)
// code: 0 ok, 1 corrupt, 2 unsupported (message says what); src/io/parquet-native.ts turns them into a
// Table, a KernelInputError or a fallback. The outputs are the caller's (V8-allocated) typed arrays.
#include <string>
#include <vector>

#include "common.h"
#include "parquet.hpp"

namespace kernelbus::binding {
namespace {

Napi::Object resultObject(Napi::Env env, const parquet::Result& r) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("code", Napi::Number::New(env, static_cast<int>(r.code)));
  out.Set("message", Napi::String::New(env, r.message));
  return out;
}

// parquetFooter(bytes: Uint8Array)
Napi::Value ParquetFooter(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 1);
    const U8View bytes = uint8Arg(info, 0, "bytes");
    parquet::Footer footer;
    const parquet::Result r = parquet::readFooter(bytes.data, bytes.length, footer);
    Napi::Object out = resultObject(env, r);
    if (r.code != parquet::Result::Ok) return out;
    const uint32_t n = static_cast<uint32_t>(footer.columns.size());
    Napi::Array names = Napi::Array::New(env, n), kinds = Napi::Array::New(env, n), reasons = Napi::Array::New(env, n);
    Napi::Array units = Napi::Array::New(env, n);
    for (uint32_t i = 0; i < n; i++) {
      const parquet::Column& c = footer.columns[i];
      names.Set(i, Napi::String::New(env, c.name));
      kinds.Set(i, Napi::Number::New(env, static_cast<int>(c.kind)));
      reasons.Set(i, Napi::String::New(env, c.unsupported));
      const char* unit = c.convert == parquet::Convert::Millis                                          ? "ms"
                         : c.convert == parquet::Convert::Micros                                        ? "us"
                         : c.convert == parquet::Convert::Nanos || c.convert == parquet::Convert::Int96 ? "ns"
                         : c.convert == parquet::Convert::Days                                          ? "days"
                                                                                                        : "";
      units.Set(i, Napi::String::New(env, unit));
    }
    out.Set("rows", Napi::Number::New(env, static_cast<double>(footer.rows)));
    if (!footer.arrowSchema.empty()) out.Set("arrowSchema", Napi::String::New(env, footer.arrowSchema));
    out.Set("names", names);
    out.Set("kinds", kinds);
    out.Set("reasons", reasons);
    out.Set("units", units);
    return out;
  });
}

// parquetDecode(bytes: Uint8Array, columns: Int32Array, outs: (Float64Array | Int32Array)[])
Napi::Value ParquetDecode(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 3);
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
      Napi::TypedArray a = v.As<Napi::TypedArray>();
      if (a.TypedArrayType() != napi_float64_array && a.TypedArrayType() != napi_int32_array) {
        throw inputError(env, name, "a Float64Array or Int32Array", describeValue(v));
      }
      arrays.push_back(a);
    }
    // pointers last
    const U8View bytes = uint8Arg(info, 0, "bytes");
    parquet::Footer footer;
    parquet::Result r = parquet::readFooter(bytes.data, bytes.length, footer);
    if (r.code != parquet::Result::Ok) return resultObject(env, r);
    std::vector<parquet::ColumnOut> outs(arrays.size());
    for (size_t i = 0; i < arrays.size(); i++) {
      const int32_t column = columns[i];
      const std::string name = "outs[" + std::to_string(i) + "]";
      if (column < 0 || static_cast<size_t>(column) >= footer.columns.size()) {
        throw inputError(env, "columns[" + std::to_string(i) + "]", "a column index below " + std::to_string(footer.columns.size()),
                         std::to_string(column));
      }
      for (size_t j = 0; j < i; j++)
        if (outs[j].column == column) throw inputError(env, "columns[" + std::to_string(i) + "]", "each column once", "a repeat");
      const bool text = footer.columns[static_cast<size_t>(column)].kind == parquet::Kind::Text;
      const napi_typedarray_type want = text ? napi_int32_array : napi_float64_array;
      if (arrays[i].TypedArrayType() != want)
        throw inputError(env, name, text ? "an Int32Array" : "a Float64Array", describeValue(arrays[i]));
      if (arrays[i].ElementLength() != static_cast<size_t>(footer.rows)) {
        throw inputError(env, name, "length " + std::to_string(footer.rows), "length " + std::to_string(arrays[i].ElementLength()));
      }
      outs[i].column = column;
      outs[i].length = arrays[i].ElementLength();
      if (text) {
        outs[i].codes = arrays[i].As<Napi::Int32Array>().Data();
      } else {
        outs[i].numbers = arrays[i].As<Napi::Float64Array>().Data();
      }
    }
    r = parquet::decodeColumns(bytes.data, bytes.length, footer, outs);
    Napi::Object out = resultObject(env, r);
    if (r.code != parquet::Result::Ok) return out;
    Napi::Array dictionaries = Napi::Array::New(env, outs.size());
    for (size_t i = 0; i < outs.size(); i++) {
      if (footer.columns[static_cast<size_t>(outs[i].column)].kind != parquet::Kind::Text) {
        dictionaries.Set(static_cast<uint32_t>(i), env.Null());
        continue;
      }
      const std::vector<std::string>& values = outs[i].dictionary;
      Napi::Array strings = Napi::Array::New(env, values.size());
      for (size_t k = 0; k < values.size(); k++) strings.Set(static_cast<uint32_t>(k), Napi::String::New(env, values[k]));
      dictionaries.Set(static_cast<uint32_t>(i), strings);
    }
    out.Set("dictionaries", dictionaries);
    return out;
  });
}

// parquetReadFile(path: string, out: Uint8Array) -> bytes read: the file into the caller's array
Napi::Value ParquetReadFile(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 2);
    if (!info[0].IsString()) throw inputError(env, "path", "a string", describeValue(info[0]));
    const std::string path = info[0].As<Napi::String>().Utf8Value();
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw inputError(env, "out", "a Uint8Array", describeValue(info[1]));
    }
    Napi::Uint8Array array = info[1].As<Napi::Uint8Array>();
    size_t read = 0;
    const parquet::Result r = parquet::readFileInto(path.c_str(), array.Data(), array.ElementLength(), read);
    if (r.code != parquet::Result::Ok) throw inputError(env, path, "a readable file", r.message);
    return Napi::Number::New(env, static_cast<double>(read));
  });
}

}  // namespace

void registerParquet(Napi::Env env, Napi::Object exports) {
  exports.Set("parquetFooter", Napi::Function::New<ParquetFooter>(env, "parquetFooter"));
  exports.Set("parquetDecode", Napi::Function::New<ParquetDecode>(env, "parquetDecode"));
  exports.Set("parquetReadFile", Napi::Function::New<ParquetReadFile>(env, "parquetReadFile"));
}

}  // namespace kernelbus::binding
