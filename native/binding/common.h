// Shared binding helpers: argument unpacking in a fixed order, and errors built from the JS classes
// that src/backends/native/binding.ts (the one loader) hands over at init. Nothing here computes anything.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "status.hpp"

namespace kernelbus::binding {

/// Per-environment data (worker threads each get their own).
struct AddonData {
  Napi::FunctionReference kernelInputError;  // class KernelInputError(argument, expected, actual)
  Napi::FunctionReference inputFault;        // (code, index, value, previous) => KernelInputError
  Napi::FunctionReference vpinStream;        // NativeVpinStream constructor
};

AddonData& addonData(Napi::Env env);

/// A KernelInputError (or a TypeError before init) to throw.
Napi::Error inputError(Napi::Env env, const std::string& argument, const std::string& expected,
                       const std::string& actual);
/// The KernelInputError for a fault a kernel reported.
Napi::Error faultError(Napi::Env env, const Status& status);

/// Requires exactly `count` arguments.
void requireArgCount(const Napi::CallbackInfo& info, size_t count);
/// A finite number argument.
double numberArg(const Napi::CallbackInfo& info, size_t i, const char* name);

/// A read-only view of a Float64Array argument's memory (byteOffset applied; no copy).
struct F64View {
  const double* data;
  size_t length;
};
/// Checks the kind and that the buffer is attached; pointer taken here, last.
F64View float64Arg(const Napi::CallbackInfo& info, size_t i, const char* name);
/// A read-only view of a Uint8Array argument's bytes (byteOffset applied; no copy).
struct U8View {
  const unsigned char* data;
  size_t length;
};
U8View uint8Arg(const Napi::CallbackInfo& info, size_t i, const char* name);
/// Requires equal lengths.
void requireSameLength(Napi::Env env, size_t a, const char* aName, size_t b, const char* bName);

/// A caller-supplied output array of `length` elements (checked like an input; pointer taken last).
double* float64Out(const Napi::CallbackInfo& info, size_t i, const char* name, size_t length);
int8_t* int8Out(const Napi::CallbackInfo& info, size_t i, const char* name, size_t length);

/// A shape argument: an integer >= 0 (below 2^53).
inline size_t countArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double v = numberArg(info, i, name);
  if (!(v >= 0 && v <= 9007199254740991.0 && std::floor(v) == v)) {
    throw inputError(info.Env(), name, "an integer >= 0", info[i].ToString().Utf8Value());
  }
  return static_cast<size_t>(v);
}

/// rows x cols, or an error when it does not fit in memory's index range.
inline size_t cells(Napi::Env env, size_t rows, size_t cols, const char* name) {
  if (cols != 0 && rows > SIZE_MAX / 8 / cols) throw inputError(env, name, "a size that fits in memory", "rows x cols too large");
  return rows * cols;
}

/// A row-major matrix of rows x cols values (data checked last).
inline const double* matrixData(const Napi::CallbackInfo& info, size_t i, const char* name, size_t length) {
  const F64View data = float64Arg(info, i, name);
  if (data.length != length) {
    throw inputError(info.Env(), name, "length " + std::to_string(length) + " (rows x cols)", "length " + std::to_string(data.length));
  }
  return data.data;
}

/// A new V8-owned Float64Array of `length` elements for a kernel to fill; its data pointer into `data`.
Napi::Float64Array newFloat64Array(Napi::Env env, size_t length, double*& data);

/// Runs a binding body, turning C++ exceptions into JS ones (node-addon-api handles Napi::Error only).
template <typename Body>
Napi::Value guarded(const Napi::CallbackInfo& info, Body body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(info.Env(), "kernelbus: out of memory");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("kernelbus: ") + e.what());
  }
}

void registerVpin(Napi::Env env, Napi::Object exports);
void registerSpecial(Napi::Env env, Napi::Object exports);
void registerRisk(Napi::Env env, Napi::Object exports);
void registerFactor(Napi::Env env, Napi::Object exports);
void registerMetal(Napi::Env env, Napi::Object exports);

}  // namespace kernelbus::binding
