// Errors and argument unpacking shared by the per-family binding files.
#include <cmath>
#include <string>
#include <vector>

#include "common.h"
#include "memory.hpp"

namespace kernelbus::binding {

AddonData& addonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

std::string describeValue(const Napi::Value& value) {
  if (value.IsUndefined()) return "undefined";
  if (value.IsNull()) return "null";
  if (value.IsNumber()) return value.ToString().Utf8Value();
  if (value.IsTypedArray()) {
    switch (value.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_int8_array:
        return "Int8Array";
      case napi_uint8_array:
        return "Uint8Array";
      case napi_uint8_clamped_array:
        return "Uint8ClampedArray";
      case napi_int16_array:
        return "Int16Array";
      case napi_uint16_array:
        return "Uint16Array";
      case napi_int32_array:
        return "Int32Array";
      case napi_uint32_array:
        return "Uint32Array";
      case napi_float32_array:
        return "Float32Array";
      case napi_float64_array:
        return "Float64Array";
      default:
        return "a typed array";
    }
  }
  if (value.IsArray()) return "an Array";
  if (value.IsString()) return "a string";
  if (value.IsBoolean()) return "a boolean";
  if (value.IsFunction()) return "a function";
  return "an object";
}

namespace {

/// A typed array's memory as one napi_get_typedarray_info reads it: its kind, data pointer (byteOffset
/// applied) and length; `ok` false when `value` is not a typed array of `type`.
struct TypedView {
  void* data;
  size_t length;
  bool ok;
  bool detached;
};

TypedView typedView(napi_env env, napi_value value, napi_typedarray_type type) {
  napi_typedarray_type actual{};
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer = nullptr;
  // not a typed array: napi_invalid_arg, and nothing thrown
  if (napi_get_typedarray_info(env, value, &actual, &length, &data, &buffer, nullptr) != napi_ok || actual != type) {
    return TypedView{nullptr, 0, false, false};
  }
  // a view with elements has an attached buffer: only an empty one is asked
  bool detached = false;
  if (length == 0 && napi_is_detached_arraybuffer(env, buffer, &detached) != napi_ok) throw Napi::Error::New(env);
  return TypedView{data, length, true, detached};
}

/// The view of `value`, a typed array of `type` (`typeName` in the errors) with an attached buffer,
/// else the KernelInputError naming `name` (a string made only then).
template <typename Name>
TypedView checkedView(Napi::Env env, const Napi::Value& value, const Name& name, napi_typedarray_type type, const char* typeName) {
  const TypedView v = typedView(env, value, type);
  if (v.ok && !v.detached) return v;
  const std::string kind = (typeName[0] == 'I' ? "an " : "a ") + std::string(typeName);  // an Int8Array, a Float64Array
  if (!v.ok) throw inputError(env, name, kind, describeValue(value));
  throw inputError(env, name, kind + " with an attached buffer", "a detached buffer");
}

}  // namespace

Napi::Error inputError(Napi::Env env, const std::string& argument, const std::string& expected, const std::string& actual) {
  AddonData& data = addonData(env);
  if (data.kernelInputError.IsEmpty()) {
    return Napi::TypeError::New(env, argument + ": expected " + expected + ", got " + actual);
  }
  Napi::Object error =
      data.kernelInputError.New({Napi::String::New(env, argument), Napi::String::New(env, expected), Napi::String::New(env, actual)});
  return Napi::Error(env, error);
}

Napi::Error faultError(Napi::Env env, const Status& status, const char* kernel) {
  AddonData& data = addonData(env);
  if (data.inputFault.IsEmpty()) {
    return Napi::TypeError::New(env, "kernelbus: input fault " + std::to_string(static_cast<int>(status.fault)));
  }
  std::vector<napi_value> args = {
      Napi::Number::New(env, static_cast<int>(status.fault)),
      Napi::Number::New(env, status.index),
      Napi::Number::New(env, status.value),
      Napi::Number::New(env, status.previous),
  };
  if (kernel != nullptr) args.push_back(Napi::String::New(env, kernel));
  Napi::Value error = data.inputFault.Call(args);
  return Napi::Error(env, error);
}

Napi::Error entryError(Napi::Env env, const EntrySignature& sig, const Outcome& outcome) {
  const ArgFault& arg = outcome.arg;
  if (arg.argument >= 0) {
    const std::string name = sig.argument(arg.argument, arg.element);
    return inputError(env, arg.field != nullptr ? name + "." + arg.field : name, arg.expected, arg.actual);
  }
  return faultError(env, outcome.status, sig.kernel.c_str());
}

std::string EntrySignature::argument(int at, int element) const {
  std::string name = at >= 0 && static_cast<size_t>(at) < arguments.size() ? arguments[at] : "argument " + std::to_string(at);
  return element >= 0 ? name + "[" + std::to_string(element) + "]" : name;
}

const EntrySignature& addSignature(Napi::Env env, const char* text, size_t arity) {
  const std::string s(text);
  const size_t open = s.find('('), close = s.rfind(')');
  if (open == std::string::npos || close != s.size() - 1) throw Napi::Error::New(env, "kernelbus: bad entry signature " + s);
  EntrySignature sig;
  sig.kernel = s.substr(0, open);
  size_t at = open + 1;
  while (at < close) {
    size_t end = s.find(',', at);
    if (end == std::string::npos || end > close) end = close;
    const size_t first = s.find_first_not_of(' ', at);
    sig.arguments.push_back(s.substr(first, end - first));
    at = end + 1;
  }
  if (sig.arguments.size() != arity) {
    throw Napi::Error::New(
        env, "kernelbus: " + s + " names " + std::to_string(sig.arguments.size()) + " arguments, its entry takes " + std::to_string(arity));
  }
  AddonData& data = addonData(env);
  data.signatures.push_back(std::move(sig));
  return data.signatures.back();
}

void requireArgCount(const Napi::CallbackInfo& info, size_t count) {
  if (info.Length() != count) {
    throw inputError(info.Env(), "arguments", std::to_string(count) + " arguments", std::to_string(info.Length()));
  }
}

double numberArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  double value = 0;
  // one call: napi_number_expected (nothing thrown) for anything but a number
  if (napi_get_value_double(info.Env(), info[i], &value) != napi_ok) throw inputError(info.Env(), name, "a number", describeValue(info[i]));
  if (!std::isfinite(value)) throw inputError(info.Env(), name, "a finite number", describeValue(info[i]));
  return value;
}

F64View float64Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const TypedView v = checkedView(info.Env(), info[i], name, napi_float64_array, "Float64Array");
  return F64View{static_cast<const double*>(v.data), v.length};
}

F64View float64Value(Napi::Env env, const Napi::Value& value, const std::string& name) {
  const TypedView v = checkedView(env, value, name, napi_float64_array, "Float64Array");
  return F64View{static_cast<const double*>(v.data), v.length};
}

namespace {
/// A record's field as the errors name it (`stack.cov`), made only for an error.
struct FieldName {
  const std::string& argument;
  const char* field;
  operator std::string() const { return argument + "." + field; }  // NOLINT(google-explicit-constructor)
};
}  // namespace

F64View float64Field(Napi::Env env, const Napi::Value& value, const std::string& argument, const char* field) {
  const TypedView v = checkedView(env, value, FieldName{argument, field}, napi_float64_array, "Float64Array");
  return F64View{static_cast<const double*>(v.data), v.length};
}

U8View uint8Field(Napi::Env env, const Napi::Value& value, const std::string& argument, const char* field) {
  const TypedView v = checkedView(env, value, FieldName{argument, field}, napi_uint8_array, "Uint8Array");
  return U8View{static_cast<const unsigned char*>(v.data), v.length};
}

I32View int32Field(Napi::Env env, const Napi::Value& value, const std::string& argument, const char* field) {
  const TypedView v = checkedView(env, value, FieldName{argument, field}, napi_int32_array, "Int32Array");
  return I32View{static_cast<const int32_t*>(v.data), v.length};
}

F64OutView float64OutArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const TypedView v = checkedView(info.Env(), info[i], name, napi_float64_array, "Float64Array");
  return F64OutView{static_cast<double*>(v.data), v.length};
}

U8View uint8Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const TypedView v = checkedView(info.Env(), info[i], name, napi_uint8_array, "Uint8Array");
  return U8View{static_cast<const unsigned char*>(v.data), v.length};
}

I8View int8Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const TypedView v = checkedView(info.Env(), info[i], name, napi_int8_array, "Int8Array");
  return I8View{static_cast<int8_t*>(v.data), v.length};
}

I32View int32Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const TypedView v = checkedView(info.Env(), info[i], name, napi_int32_array, "Int32Array");
  return I32View{static_cast<const int32_t*>(v.data), v.length};
}

U8OutView uint8OutArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const TypedView v = checkedView(info.Env(), info[i], name, napi_uint8_array, "Uint8Array");
  return U8OutView{static_cast<uint8_t*>(v.data), v.length};
}

void requireSameLength(Napi::Env env, size_t a, const char* aName, size_t b, const char* bName) {
  if (a != b) {
    throw inputError(env, bName, "length " + std::to_string(a) + " (as " + aName + ")", "length " + std::to_string(b));
  }
}

int8_t* int8Out(const Napi::CallbackInfo& info, size_t i, const char* name, size_t length) {
  const I8View v = int8Arg(info, i, name);
  requireSameLength(info.Env(), length, "the input", v.length, name);
  return v.data;
}

Napi::Float64Array newFloat64Array(Napi::Env env, size_t length, double*& data) {
  Napi::Float64Array out = Napi::Float64Array::New(env, length);
  data = out.Data();
  return out;
}

Napi::Float64Array newUnfilledFloat64Array(Napi::Env env, size_t length, double*& data) {
  const Napi::Buffer<uint8_t> bytes = Napi::Buffer<uint8_t>::New(env, length * sizeof(double));
  if (bytes.ByteOffset() % sizeof(double) != 0)
    return newFloat64Array(env, length, data);  // not seen: a fresh Buffer starts its own memory
  Napi::Float64Array out = Napi::Float64Array::New(env, length, bytes.ArrayBuffer(), bytes.ByteOffset());
  data = out.Data();
  return out;
}

std::vector<Napi::Float64Array> newUnfilledFloat64Arrays(Napi::Env env, const size_t* lengths, size_t count, double** data) {
  size_t total = 0;
  for (size_t i = 0; i < count; i++) total += lengths[i];
  std::vector<Napi::Float64Array> out;
  out.reserve(count);
  // from two huge pages on, where they are advised (hugePages()), the block is taken a huge page larger
  // and the views start at its first 2 MB boundary, their whole span then on huge pages (the slack
  // before them is never written); below, or without the advice, exactly the bytes
  const size_t bytesNeeded = total * sizeof(double);
  const bool huge = bytesNeeded >= 2 * kHugePage && hugePages().advised;
  const size_t span = huge ? wholeHugePages(bytesNeeded) : bytesNeeded;
  const Napi::Buffer<uint8_t> bytes = Napi::Buffer<uint8_t>::New(env, huge ? span + kHugePage : span);
  const uintptr_t at = reinterpret_cast<uintptr_t>(bytes.Data());
  const size_t skip = huge ? (kHugePage - at % kHugePage) % kHugePage : 0;
  if ((at + skip) % sizeof(double) != 0) {  // not seen: a fresh Buffer starts its own memory
    for (size_t i = 0; i < count; i++) out.push_back(newFloat64Array(env, lengths[i], data[i]));
    return out;
  }
  double* base = reinterpret_cast<double*>(bytes.Data() + skip);
  adviseHugePages(base, span);
  for (size_t i = 0, offset = 0; i < count; offset += lengths[i++]) {
    out.push_back(Napi::Float64Array::New(env, lengths[i], bytes.ArrayBuffer(), bytes.ByteOffset() + skip + offset * sizeof(double)));
    data[i] = base + offset;
  }
  return out;
}

}  // namespace kernelbus::binding
