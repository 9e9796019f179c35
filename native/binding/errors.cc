// Errors and argument unpacking shared by the per-family binding files.
#include <cmath>
#include <string>
#include <vector>

#include "common.h"

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

template <typename Array>
Array typedValue(Napi::Env env, const Napi::Value& value, const std::string& name, napi_typedarray_type type, const char* typeName) {
  const std::string kind = (typeName[0] == 'I' ? "an " : "a ") + std::string(typeName);  // an Int8Array, a Float64Array
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    throw inputError(env, name, kind, describeValue(value));
  }
  Array array = value.As<Array>();
  if (array.ArrayBuffer().IsDetached()) {
    throw inputError(env, name, kind + " with an attached buffer", "a detached buffer");
  }
  return array;
}

template <typename Array>
Array typedArg(const Napi::CallbackInfo& info, size_t i, const char* name, napi_typedarray_type type, const char* typeName) {
  return typedValue<Array>(info.Env(), info[i], name, type, typeName);
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
  if (!info[i].IsNumber()) throw inputError(info.Env(), name, "a number", describeValue(info[i]));
  const double value = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(value)) throw inputError(info.Env(), name, "a finite number", describeValue(info[i]));
  return value;
}

F64View float64Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  auto array = typedArg<Napi::Float64Array>(info, i, name, napi_float64_array, "Float64Array");
  return F64View{array.Data(), array.ElementLength()};
}

F64View float64Value(Napi::Env env, const Napi::Value& value, const std::string& name) {
  auto array = typedValue<Napi::Float64Array>(env, value, name, napi_float64_array, "Float64Array");
  return F64View{array.Data(), array.ElementLength()};
}

F64OutView float64OutArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  auto array = typedArg<Napi::Float64Array>(info, i, name, napi_float64_array, "Float64Array");
  return F64OutView{array.Data(), array.ElementLength()};
}

U8View uint8Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  auto array = typedArg<Napi::Uint8Array>(info, i, name, napi_uint8_array, "Uint8Array");
  return U8View{array.Data(), array.ElementLength()};
}

I8View int8Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  auto array = typedArg<Napi::Int8Array>(info, i, name, napi_int8_array, "Int8Array");
  return I8View{array.Data(), array.ElementLength()};
}

void requireSameLength(Napi::Env env, size_t a, const char* aName, size_t b, const char* bName) {
  if (a != b) {
    throw inputError(env, bName, "length " + std::to_string(a) + " (as " + aName + ")", "length " + std::to_string(b));
  }
}

int8_t* int8Out(const Napi::CallbackInfo& info, size_t i, const char* name, size_t length) {
  auto array = typedArg<Napi::Int8Array>(info, i, name, napi_int8_array, "Int8Array");
  requireSameLength(info.Env(), length, "the input", array.ElementLength(), name);
  return array.Data();
}

Napi::Float64Array newFloat64Array(Napi::Env env, size_t length, double*& data) {
  Napi::Float64Array out = Napi::Float64Array::New(env, length);
  data = out.Data();
  return out;
}

}  // namespace kernelbus::binding
