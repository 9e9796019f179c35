// Reading an object record's fields by name (the readers scripts/gen-records.ts writes into
// native/binding/generated/<family>_records.h): each a KernelInputError naming the field, `sim.fees`,
// `sim.fees.data`, `input.orders.idx`. A field read by name may run a getter: a record read this way
// is read whole before any pointer is used.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "common.h"

namespace kernelbus::binding {

/// The record argument `name`: an object (`expected`: "a Simulation record").
inline Napi::Object recordObject(Napi::Env env, const Napi::Value& value, const std::string& name, const char* expected) {
  if (!value.IsObject()) throw inputError(env, name, expected, describeValue(value));
  return value.As<Napi::Object>();
}

/// Field `field` of `o` (of the record `owner`): an object.
inline Napi::Object objectField(Napi::Env env, const Napi::Object& o, const std::string& owner, const char* field, const char* expected) {
  return recordObject(env, o.Get(field), owner + "." + field, expected);
}

/// Field `field` of `o`: an integer >= 0 (below 2^53).
inline size_t countField(Napi::Env env, const Napi::Object& o, const std::string& owner, const char* field) {
  const Napi::Value v = o.Get(field);
  const double x = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(x >= 0 && x <= 9007199254740991.0 && std::floor(x) == x))
    throw inputError(env, owner + "." + field, "an integer >= 0", describeValue(v));
  return static_cast<size_t>(x);
}

/// Field `field` of `o`: a typed array of T (double: a Float64Array, int32_t: an Int32Array, uint8_t: a
/// Uint8Array) with an attached buffer; its data into `data`, its length returned.
template <typename T>
size_t arrayField(Napi::Env env, const Napi::Object& o, const std::string& owner, const char* field, const T*& data);
template <>
inline size_t arrayField<double>(Napi::Env env, const Napi::Object& o, const std::string& owner, const char* field, const double*& data) {
  const F64View v = float64Field(env, o.Get(field), owner, field);
  data = v.data;
  return v.length;
}
template <>
inline size_t arrayField<int32_t>(Napi::Env env, const Napi::Object& o, const std::string& owner, const char* field, const int32_t*& data) {
  const I32View v = int32Field(env, o.Get(field), owner, field);
  data = v.data;
  return v.length;
}
template <>
inline size_t arrayField<uint8_t>(Napi::Env env, const Napi::Object& o, const std::string& owner, const char* field, const uint8_t*& data) {
  const U8View v = uint8Field(env, o.Get(field), owner, field);
  data = v.data;
  return v.length;
}

/// arrayField() of an array that must hold `length` values (`expected`: what the error says it must be).
template <typename T>
void sizedField(Napi::Env env, const Napi::Object& o, const std::string& owner, const char* field, const T*& data, size_t length,
                const char* expected) {
  const size_t actual = arrayField<T>(env, o, owner, field, data);
  if (actual != length) throw inputError(env, owner + "." + field, expected, std::to_string(actual));
}

/// Field `field` of `o`: vectorbt's flexible argument { data, rows, cols } into `out` (a
/// backtest::Flex<T>), data rows x cols values of T (arrayField()).
template <typename T, typename F>
void flexField(Napi::Env env, const Napi::Object& o, const std::string& owner, const char* field, F& out) {
  static_assert(std::is_same_v<decltype(out.data), const T*>, "the record's element type is the member's");
  const Napi::Object f = objectField(env, o, owner, field, "an object { data, rows, cols }");
  const std::string name = owner + "." + field;
  out.rows = countField(env, f, name, "rows");
  out.cols = countField(env, f, name, "cols");
  sizedField<T>(env, f, name, "data", out.data, out.rows * out.cols, "rows x cols values");
}

}  // namespace kernelbus::binding
