// Shared binding helpers: argument unpacking in a fixed order, and errors built from the JS classes
// that src/backends/native/binding.ts (the one loader) hands over at init. Nothing here computes anything.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "entry.hpp"
#include "status.hpp"

namespace kernelbus::binding {

/// A kernel entry's signature, parsed from "name(arg, ...)" at registration (entry.h).
struct EntrySignature {
  std::string kernel;                  // the descriptor's name: faults are formatted from it in TS
  std::vector<std::string> arguments;  // each argument's name, in order
  const void* entry = nullptr;         // the entry's pointer (entry.h kEntry), read by its type's Call
  /// The name of argument `at` (with `[element]` for a panel of a list).
  std::string argument(int at, int element) const;
};

/// Per-environment data (worker threads each get their own).
struct AddonData {
  Napi::FunctionReference kernelInputError;  // class KernelInputError(argument, expected, actual)
  Napi::FunctionReference inputFault;        // (code, index, value, previous, kernel?) => KernelInputError
  Napi::FunctionReference vpinStream;        // NativeVpinStream constructor
  std::deque<EntrySignature> signatures;     // the registered entries' (stable addresses: the functions' data)
};

/// Parses and keeps `text` ("name(arg, ...)"); an entry of another arity is a programming error, thrown at load.
const EntrySignature& addSignature(Napi::Env env, const char* text, size_t arity);

AddonData& addonData(Napi::Env env);

/// A KernelInputError (or a TypeError before init) to throw.
Napi::Error inputError(Napi::Env env, const std::string& argument, const std::string& expected, const std::string& actual);
/// The KernelInputError for a fault a kernel reported; `kernel`: the kernel's descriptor name (the
/// risk, factor and special families: inputFault formats a ParamInvalid from its descriptor), or none.
Napi::Error faultError(Napi::Env env, const Status& status, const char* kernel = nullptr);
/// The KernelInputError for what an entry refused: its ArgFault under the argument's name, else its fault.
Napi::Error entryError(Napi::Env env, const EntrySignature& sig, const Outcome& outcome);
/// How an error message shows a JS value ("Float32Array", "a string", "1.5"...).
std::string describeValue(const Napi::Value& value);

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
/// float64Arg() of a value that is not an argument (an element of an Array argument).
F64View float64Value(Napi::Env env, const Napi::Value& value, const std::string& name);
/// float64Value() of a record's field: the error names `argument`.`field` (a string made only then).
F64View float64Field(Napi::Env env, const Napi::Value& value, const std::string& argument, const char* field);
/// A writable view of a Float64Array argument (a kernel's output), checked as float64Arg().
struct F64OutView {
  double* data;
  size_t length;
};
F64OutView float64OutArg(const Napi::CallbackInfo& info, size_t i, const char* name);
/// A read-only view of a Uint8Array argument's bytes (byteOffset applied; no copy).
struct U8View {
  const unsigned char* data;
  size_t length;
};
U8View uint8Arg(const Napi::CallbackInfo& info, size_t i, const char* name);
/// uint8Arg() of a record's field (as float64Field()).
U8View uint8Field(Napi::Env env, const Napi::Value& value, const std::string& argument, const char* field);
/// A view of an Int8Array argument (labels read, or signs written; byteOffset applied; no copy).
struct I8View {
  int8_t* data;
  size_t length;
};
I8View int8Arg(const Napi::CallbackInfo& info, size_t i, const char* name);
/// A view of an Int32Array argument (indices read; byteOffset applied; no copy).
struct I32View {
  const int32_t* data;
  size_t length;
};
I32View int32Arg(const Napi::CallbackInfo& info, size_t i, const char* name);
/// int32Arg() of a record's field (as float64Field()).
I32View int32Field(Napi::Env env, const Napi::Value& value, const std::string& argument, const char* field);
/// A writable view of a Uint8Array argument (signals written; byteOffset applied; no copy).
struct U8OutView {
  uint8_t* data;
  size_t length;
};
U8OutView uint8OutArg(const Napi::CallbackInfo& info, size_t i, const char* name);
/// Requires equal lengths.
void requireSameLength(Napi::Env env, size_t a, const char* aName, size_t b, const char* bName);

/// An Int8Array argument of `length` elements (the stream's labels: checked like an input; pointer taken last).
int8_t* int8Out(const Napi::CallbackInfo& info, size_t i, const char* name, size_t length);

/// A shape argument: an integer >= 0 (below 2^53).
inline size_t countArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double v = numberArg(info, i, name);
  if (!(v >= 0 && v <= 9007199254740991.0 && std::floor(v) == v)) {
    throw inputError(info.Env(), name, "an integer >= 0", info[i].ToString().Utf8Value());
  }
  return static_cast<size_t>(v);
}

/// A new V8-owned Float64Array of `length` elements for a kernel to fill; its data pointer into `data`.
Napi::Float64Array newFloat64Array(Napi::Env env, size_t length, double*& data);

/// The same, its memory not zeroed (node::Buffer's, as Buffer.allocUnsafeSlow's): for a caller that
/// writes every element.
Napi::Float64Array newUnfilledFloat64Array(Napi::Env env, size_t length, double*& data);

/// `count` such arrays of lengths[i] elements as views of one new unzeroed buffer (their data pointers
/// into data[i]), side by side, on 2 MB pages: a result of many large columns (a backtest's records)
/// faults a few huge pages instead of each column's 4 KB pages, which after the process has been idle
/// cost about 10 us each on a VM (docs/backtest.md, "After an idle second"). From 4 MB the buffer is a
/// huge page larger than the views and they start at its first 2 MB boundary (their byteOffset then
/// above 0), so their whole span is on huge pages. The arrays share their ArrayBuffer (one of them kept
/// keeps the block).
std::vector<Napi::Float64Array> newUnfilledFloat64Arrays(Napi::Env env, const size_t* lengths, size_t count, double** data);

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
void registerIndicators(Napi::Env env, Napi::Object exports);
void registerFactor(Napi::Env env, Napi::Object exports);
void registerPortfolio(Napi::Env env, Napi::Object exports);
void registerFeatures(Napi::Env env, Napi::Object exports);
void registerLabeling(Napi::Env env, Napi::Object exports);
void registerMargin(Napi::Env env, Napi::Object exports);
void registerMl(Napi::Env env, Napi::Object exports);
void registerBacktest(Napi::Env env, Napi::Object exports);
void registerVolatility(Napi::Env env, Napi::Object exports);
void registerMetal(Napi::Env env, Napi::Object exports);
/// The CSV block parser (io_binding.cc).
void registerIo(Napi::Env env, Napi::Object exports);
void registerMap(Napi::Env env, Napi::Object exports);
void registerParquet(Napi::Env env, Napi::Object exports);
void registerArrow(Napi::Env env, Napi::Object exports);
void registerSplit(Napi::Env env, Napi::Object exports);

}  // namespace kernelbus::binding
