// The per-symbol split's glue (native/io/symbol_split.hpp; src/io/symbol-split.ts calls it):
//   symbolCounts(codes, counts, first) -> distinct codes, or -1 - i for a code outside [0, counts.length)
//   scatterBySymbol(codes, groupOf, start, columns, outs): each column's rows, grouped, into its out
// Arguments are checked here (kinds, lengths, the layout); the row loops run in native/io.
#include <string>
#include <vector>

#include "common.h"
#include "symbol_split.hpp"

namespace kernelbus::binding {
namespace {

/// An Int32Array argument's data and length (kind checked; pointer taken by the caller's order).
Napi::Int32Array int32Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw inputError(info.Env(), name, "an Int32Array", describeValue(info[i]));
  }
  return info[i].As<Napi::Int32Array>();
}

/// An Array argument of Float64Arrays, each of `length` elements.
std::vector<Napi::Float64Array> float64Arrays(const Napi::CallbackInfo& info, size_t i, const char* name, size_t length) {
  Napi::Env env = info.Env();
  if (!info[i].IsArray()) throw inputError(env, name, "an Array of Float64Array", describeValue(info[i]));
  Napi::Array array = info[i].As<Napi::Array>();
  std::vector<Napi::Float64Array> out;
  for (uint32_t k = 0; k < array.Length(); k++) {
    const Napi::Value v = array.Get(k);
    const std::string element = std::string(name) + "[" + std::to_string(k) + "]";
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
      throw inputError(env, element, "a Float64Array", describeValue(v));
    }
    out.push_back(v.As<Napi::Float64Array>());
    if (out.back().ElementLength() != length) {
      throw inputError(env, element, "length " + std::to_string(length), "length " + std::to_string(out.back().ElementLength()));
    }
  }
  return out;
}

// symbolCounts(codes: Int32Array, counts: Int32Array, first: Int32Array) -> number
Napi::Value SymbolCounts(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 3);
    Napi::Int32Array codes = int32Arg(info, 0, "codes"), counts = int32Arg(info, 1, "counts"), first = int32Arg(info, 2, "first");
    requireSameLength(env, first.ElementLength(), "first", counts.ElementLength(), "counts");
    if (counts.ElementLength() > INT32_MAX)
      throw inputError(env, "counts", "at most 2^31 - 1 codes", std::to_string(counts.ElementLength()));
    const int64_t r = io::countSymbolCodes(codes.Data(), codes.ElementLength(), static_cast<int32_t>(counts.ElementLength()), counts.Data(),
                                           first.Data());
    return Napi::Number::New(env, static_cast<double>(r));
  });
}

// scatterBySymbol(codes: Int32Array, groupOf: Int32Array, start: Int32Array, columns: Float64Array[], outs: Float64Array[])
Napi::Value ScatterBySymbol(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 5);
    Napi::Int32Array codes = int32Arg(info, 0, "codes"), groupOf = int32Arg(info, 1, "groupOf"), start = int32Arg(info, 2, "start");
    if (start.ElementLength() == 0 || groupOf.ElementLength() > INT32_MAX) {
      throw inputError(env, start.ElementLength() == 0 ? "start" : "groupOf", "one offset per group and one more", "length 0");
    }
    const io::SplitLayout layout{groupOf.Data(), static_cast<int32_t>(groupOf.ElementLength()), start.Data(), start.ElementLength() - 1};
    if (!io::validLayout(layout)) {
      throw inputError(env, "start", "offsets from 0, never decreasing, with groupOf in [-1, groups)", "another layout");
    }
    std::vector<Napi::Float64Array> columns = float64Arrays(info, 3, "columns", codes.ElementLength());
    std::vector<Napi::Float64Array> outs = float64Arrays(info, 4, "outs", static_cast<size_t>(layout.start[layout.groups]));
    requireSameLength(env, outs.size(), "outs", columns.size(), "columns");
    const int64_t bad = io::checkSplit(codes.Data(), codes.ElementLength(), layout);
    if (bad >= 0) throw inputError(env, "codes", "rows that fill start's groups exactly", "row " + std::to_string(bad) + " does not");
    std::vector<const double*> in;
    std::vector<double*> out;
    for (size_t k = 0; k < columns.size(); k++) {
      in.push_back(columns[k].Data());
      out.push_back(outs[k].Data());
    }
    io::scatterBySymbol(codes.Data(), codes.ElementLength(), layout, in.data(), out.data(), in.size());
    return env.Undefined();
  });
}

}  // namespace

void registerSplit(Napi::Env env, Napi::Object exports) {
  exports.Set("symbolCounts", Napi::Function::New<SymbolCounts>(env, "symbolCounts"));
  exports.Set("scatterBySymbol", Napi::Function::New<ScatterBySymbol>(env, "scatterBySymbol"));
}

}  // namespace kernelbus::binding
