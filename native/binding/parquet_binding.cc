// The native Parquet reader's glue (native/io/parquet.hpp):
//   parquetFooter(bytes) -> { code, message, rows, names, kinds, units, reasons, arrowSchema?, footer }
//   parquetDecode(bytes, footer, columns, epochs, outs) -> { code, message, dictionaries, epochs, missing }
//   parquetDecodeAsync(...) -> the same, in a Promise (the decode on the libuv thread pool)
//   parquetReadFile(path, out) -> bytes read (a file into a Uint8Array the caller allocated)
// `footer` is the parsed footer (an External, type-tagged), read once and handed back to the decode,
// which checks it belongs to the same bytes. code: 0 ok, 1 corrupt, 2 unsupported (message says what);
// src/io/parquet-native.ts turns them into a Table, a KernelInputError or a fallback. The outputs are
// the caller's (V8-allocated) typed arrays.
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "parquet.hpp"

namespace kernelbus::binding {
namespace {

/// A parsed footer and the bytes it was parsed from (their address and length).
struct FooterHandle {
  parquet::Footer footer;
  const uint8_t* data;
  size_t size;
};
constexpr napi_type_tag kFooterTag = {0x6b62706172717565ULL, 0x74666f6f74657231ULL};

Napi::Object resultObject(Napi::Env env, const parquet::Result& r) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("code", Napi::Number::New(env, static_cast<int>(r.code)));
  out.Set("message", Napi::String::New(env, r.message));
  return out;
}

const char* unitName(parquet::Convert c) {
  switch (c) {
    case parquet::Convert::Seconds:
      return "s";
    case parquet::Convert::Millis:
      return "ms";
    case parquet::Convert::Micros:
      return "us";
    case parquet::Convert::Nanos:
    case parquet::Convert::Int96:
      return "ns";
    case parquet::Convert::Days:
      return "days";
    default:
      return "";
  }
}

// parquetFooter(bytes: Uint8Array)
Napi::Value ParquetFooter(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 1);
    const U8View bytes = uint8Arg(info, 0, "bytes");
    auto handle = std::make_unique<FooterHandle>(FooterHandle{{}, bytes.data, bytes.length});
    const parquet::Footer& footer = handle->footer;
    const parquet::Result r = parquet::readFooter(bytes.data, bytes.length, handle->footer);
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
      units.Set(i, Napi::String::New(env, unitName(c.convert)));
    }
    out.Set("rows", Napi::Number::New(env, static_cast<double>(footer.rows)));
    if (!footer.arrowSchema.empty()) out.Set("arrowSchema", Napi::String::New(env, footer.arrowSchema));
    out.Set("names", names);
    out.Set("kinds", kinds);
    out.Set("reasons", reasons);
    out.Set("units", units);
    Napi::External<FooterHandle> external =
        Napi::External<FooterHandle>::New(env, handle.release(), [](Napi::Env, FooterHandle* h) { delete h; });
    external.TypeTag(&kFooterTag);
    out.Set("footer", external);
    return out;
  });
}

/// A decode's arguments, checked: the footer, the bytes' address, the outputs.
struct Decode {
  const FooterHandle* handle = nullptr;
  std::vector<parquet::ColumnOut> outs;
};

// (bytes: Uint8Array, footer: External, columns: Int32Array, epochs: Int32Array, outs: (Float64Array | Int32Array)[])
Decode decodeArgs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  requireArgCount(info, 5);
  if (!info[1].IsExternal() || !info[1].As<Napi::External<FooterHandle>>().CheckTypeTag(&kFooterTag)) {
    throw inputError(env, "footer", "the footer parquetFooter() returned", describeValue(info[1]));
  }
  for (size_t a = 2; a <= 3; a++) {
    if (!info[a].IsTypedArray() || info[a].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      throw inputError(env, a == 2 ? "columns" : "epochs", "an Int32Array", describeValue(info[a]));
    }
  }
  if (!info[4].IsArray()) throw inputError(env, "outs", "an Array of Float64Array / Int32Array", describeValue(info[4]));
  Napi::Array outArray = info[4].As<Napi::Array>();
  Napi::Int32Array columns = info[2].As<Napi::Int32Array>(), epochs = info[3].As<Napi::Int32Array>();
  if (outArray.Length() != columns.ElementLength() || epochs.ElementLength() != columns.ElementLength()) {
    const bool outs = outArray.Length() != columns.ElementLength();
    throw inputError(env, outs ? "outs" : "epochs",
                     "one " + std::string(outs ? "array" : "unit") + " per column (" + std::to_string(columns.ElementLength()) + ")",
                     std::to_string(outs ? outArray.Length() : epochs.ElementLength()));
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
  Decode d;
  d.handle = info[1].As<Napi::External<FooterHandle>>().Data();
  if (d.handle->data != bytes.data || d.handle->size != bytes.length) {
    throw inputError(env, "footer", "the footer of these bytes", "another array's");
  }
  const parquet::Footer& footer = d.handle->footer;
  d.outs.resize(arrays.size());
  for (size_t i = 0; i < arrays.size(); i++) {
    const int32_t column = columns[i];
    const std::string name = "outs[" + std::to_string(i) + "]";
    const std::string at = "[" + std::to_string(i) + "]";
    if (column < 0 || static_cast<size_t>(column) >= footer.columns.size()) {
      throw inputError(env, "columns" + at, "a column index below " + std::to_string(footer.columns.size()), std::to_string(column));
    }
    for (size_t j = 0; j < i; j++)
      if (d.outs[j].column == column) throw inputError(env, "columns" + at, "each column once", "a repeat");
    const bool text = footer.columns[static_cast<size_t>(column)].kind == parquet::Kind::Text;
    if (epochs[i] < 0 || epochs[i] > static_cast<int>(parquet::EpochUnit::Detect) || (text && epochs[i] != 0)) {
      throw inputError(env, "epochs" + at, text ? "0 (a text column)" : "a unit code in [0, 5]", std::to_string(epochs[i]));
    }
    const napi_typedarray_type want = text ? napi_int32_array : napi_float64_array;
    if (arrays[i].TypedArrayType() != want)
      throw inputError(env, name, text ? "an Int32Array" : "a Float64Array", describeValue(arrays[i]));
    if (arrays[i].ElementLength() != static_cast<size_t>(footer.rows)) {
      throw inputError(env, name, "length " + std::to_string(footer.rows), "length " + std::to_string(arrays[i].ElementLength()));
    }
    parquet::ColumnOut& o = d.outs[i];
    o.column = column;
    o.length = arrays[i].ElementLength();
    o.epoch = static_cast<parquet::EpochUnit>(epochs[i]);
    if (text) {
      o.codes = arrays[i].As<Napi::Int32Array>().Data();
    } else {
      o.numbers = arrays[i].As<Napi::Float64Array>().Data();
    }
  }
  return d;
}

parquet::Result runDecode(Decode& d) {
  try {
    return parquet::decodeColumns(d.handle->data, d.handle->size, d.handle->footer, d.outs);
  } catch (const std::bad_alloc&) {
    return {parquet::Result::Corrupt, "out of memory"};
  }
}

/// The decode's result: the text columns' values, the epoch unit applied and the first NaN row (-1 none) per column.
Napi::Object decodeResult(Napi::Env env, const Decode& d, const parquet::Result& r) {
  Napi::Object out = resultObject(env, r);
  if (r.code != parquet::Result::Ok) return out;
  Napi::Array dictionaries = Napi::Array::New(env, d.outs.size());
  Napi::Int32Array epochs = Napi::Int32Array::New(env, d.outs.size());
  Napi::Float64Array missing = Napi::Float64Array::New(env, d.outs.size());
  for (size_t i = 0; i < d.outs.size(); i++) {
    epochs[i] = static_cast<int32_t>(d.outs[i].epoch);
    missing[i] = static_cast<double>(d.outs[i].firstMissing);
    if (d.outs[i].codes == nullptr) {
      dictionaries.Set(static_cast<uint32_t>(i), env.Null());
      continue;
    }
    const std::vector<std::string>& values = d.outs[i].dictionary;
    Napi::Array strings = Napi::Array::New(env, values.size());
    for (size_t k = 0; k < values.size(); k++) strings.Set(static_cast<uint32_t>(k), Napi::String::New(env, values[k]));
    dictionaries.Set(static_cast<uint32_t>(i), strings);
  }
  out.Set("dictionaries", dictionaries);
  out.Set("epochs", epochs);
  out.Set("missing", missing);
  return out;
}

Napi::Value ParquetDecode(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Decode d = decodeArgs(info);
    const parquet::Result r = runDecode(d);
    return decodeResult(info.Env(), d, r);
  });
}

/// parquetDecode on the thread pool: the arguments (the bytes, the footer, the outputs) are held by
/// references until the promise settles; the caller must not write to them meanwhile.
class DecodeWorker : public Napi::AsyncWorker {
 public:
  DecodeWorker(const Napi::CallbackInfo& info, Decode decode)
      : Napi::AsyncWorker(info.Env()), decode_(std::move(decode)), deferred_(Napi::Promise::Deferred::New(info.Env())) {
    bytes_ = Napi::Persistent(info[0].As<Napi::Object>());
    footer_ = Napi::Persistent(info[1]);
    outs_ = Napi::Persistent(info[4].As<Napi::Object>());
  }
  Napi::Promise promise() const { return deferred_.Promise(); }
  void Execute() override { result_ = runDecode(decode_); }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    deferred_.Resolve(decodeResult(Env(), decode_, result_));
  }

 private:
  Decode decode_;
  parquet::Result result_;
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference bytes_, outs_;
  Napi::Reference<Napi::Value> footer_;
};

Napi::Value ParquetDecodeAsync(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    auto* worker = new DecodeWorker(info, decodeArgs(info));
    const Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
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
  exports.Set("parquetDecodeAsync", Napi::Function::New<ParquetDecodeAsync>(env, "parquetDecodeAsync"));
  exports.Set("parquetReadFile", Napi::Function::New<ParquetReadFile>(env, "parquetReadFile"));
}

}  // namespace kernelbus::binding
