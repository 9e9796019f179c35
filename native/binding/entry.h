// One binding for every kernel entry (native/kernels/entry.hpp): the JS function reads its arguments by
// the C++ types of the entry's parameters, calls it (now, or on the thread pool for <name>Async) and
// throws what it refused. A kernel is registered by one line:
//
//   add<risk::entry::valueAtRisk>(env, exports, "valueAtRisk(returns, rows, cols, params, out)");
//
// The signature string names the kernel (its descriptor's name: a ParamInvalid or data fault is
// formatted in TS from it, inputFault's 5th argument) and each argument (the errors name them); its
// arity is checked against the entry's at load. An optional prefix registers the same entry over another
// backend's kernel: add<...>(env, exports, "covariance(...)", "blas") exports blasCovariance.
//
// Argument types and how each is read, in the fixed guard order (CONVENTIONS.md):
//   size_t   a count: an integer >= 0 below 2^53                                  (first)
//   double   a finite number (timeBars' barMs)                                    (first)
//   Panels   an Array of Float64Arrays (reading its elements may run a getter)    (second)
//   a record (native/kernels/record.hpp) its fields as consecutive arguments, in RecordFields' order
//            (the native backend spreads the object: a field read by name costs the call ~0.1 us, 14
//            fields more than a small kernel): counts checked in pass 2, arrays' views in pass 3;
//            errors name the field (`stack.cov`)
//   In, Out, Packed   a Float64Array: kind, attached buffer, data pointer, length  (last)
//            (a record's arrays with them)
//   Int8In, Int8Out   an Int8Array, Bytes a Uint8Array: the same                  (last)
//   Int32In an Int32Array, Uint8Out a Uint8Array the entry fills: the same          (last)
//   Optional<T>  a trailing T the call may leave out: read as T when it is there
// Nothing after the pointers runs JS until the entry returns.
//
// A counted entry (entry.hpp: a class whose count() is registered, add<&Entry::count>) returns its
// named columns: the binding allocates them for the rows count() found, then fill() writes them.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "async.h"
#include "common.h"
#include "entry.hpp"
#include "record.hpp"

namespace kernelbus::binding {

/// Reader<T>: how an argument of C++ type T is read, and in which of the three passes.
template <typename T>
struct Reader;

template <>
struct Reader<size_t> {
  static constexpr int kPass = 1;
  static size_t read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>&) {
    return countArg(info, i, name.c_str());
  }
};

template <>
struct Reader<double> {
  static constexpr int kPass = 1;
  static double read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>&) {
    return numberArg(info, i, name.c_str());
  }
};

template <>
struct Reader<Panels> {
  static constexpr int kPass = 2;
  static Panels read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>& held) {
    if (!info[i].IsArray()) throw inputError(info.Env(), name, "an array of Float64Array panels", describeValue(info[i]));
    const Napi::Array list = info[i].As<Napi::Array>();
    Panels panels;
    panels.list.resize(list.Length());
    for (uint32_t k = 0; k < list.Length(); k++) {
      const Napi::Value panel = list.Get(k);
      const F64View v = float64Value(info.Env(), panel, name + "[" + std::to_string(k) + "]");
      panels.list[k] = In{v.data, v.length};
      held.push_back(panel);  // an async call keeps it alive, as it does the arguments
    }
    return panels;
  }
};

template <>
struct Reader<In> {
  static constexpr int kPass = 3;
  static In read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>&) {
    const F64View v = float64Arg(info, i, name.c_str());
    return In{v.data, v.length};
  }
};

template <>
struct Reader<Packed> {
  static constexpr int kPass = 3;
  static Packed read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>&) {
    const F64View v = float64Arg(info, i, name.c_str());
    return Packed{v.data, v.length};
  }
};

template <>
struct Reader<Out> {
  static constexpr int kPass = 3;
  static Out read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>&) {
    const F64OutView v = float64OutArg(info, i, name.c_str());
    return Out{v.data, v.length};
  }
};

template <>
struct Reader<Int8In> {
  static constexpr int kPass = 3;
  static Int8In read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>&) {
    const I8View v = int8Arg(info, i, name.c_str());
    return Int8In{v.data, v.length};
  }
};

template <>
struct Reader<Int8Out> {
  static constexpr int kPass = 3;
  static Int8Out read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>&) {
    const I8View v = int8Arg(info, i, name.c_str());
    return Int8Out{v.data, v.length};
  }
};

template <>
struct Reader<Bytes> {
  static constexpr int kPass = 3;
  static Bytes read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>&) {
    const U8View v = uint8Arg(info, i, name.c_str());
    return Bytes{v.data, v.length};
  }
};

template <>
struct Reader<Int32In> {
  static constexpr int kPass = 3;
  static Int32In read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>&) {
    const I32View v = int32Arg(info, i, name.c_str());
    return Int32In{v.data, v.length};
  }
};

template <>
struct Reader<Uint8Out> {
  static constexpr int kPass = 3;
  static Uint8Out read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>&) {
    const U8OutView v = uint8OutArg(info, i, name.c_str());
    return Uint8Out{v.data, v.length};
  }
};

/// A trailing argument the call may leave out: T's reader, in T's pass, when the call has it.
template <typename T>
struct Reader<Optional<T>> {
  static constexpr int kPass = Reader<T>::kPass;
  static Optional<T> read(const Napi::CallbackInfo& info, size_t i, const std::string& name, std::vector<Napi::Value>& held) {
    if (i >= info.Length()) return Optional<T>{};
    return Optional<T>{Reader<T>::read(info, i, name, held), true};
  }
};

/// The JS arguments a parameter of type T takes: a record's fields, else one.
template <typename T, bool = IsRecord<T>::value>
struct Width : std::integral_constant<size_t, 1> {};
template <typename T>
struct Width<T, true> : std::integral_constant<size_t, std::tuple_size_v<std::decay_t<decltype(RecordFields<T>::fields)>>> {};

/// The field names of record R in order (what the native backend spreads: the entry's `records`).
template <typename R>
constexpr auto recordFieldNames() {
  return std::apply([](const auto&... field) { return std::array<const char*, sizeof...(field)>{field.name...}; }, RecordFields<R>::fields);
}

/// How a record argument is read: its fields from the arguments `at`, `at` + 1, ...: the counts in
/// pass 2 (countArg's rule), the arrays' views in pass 3.
template <typename R, int Pass>
void readRecord(const Napi::CallbackInfo& info, size_t at, const std::string& name, R& out) {
  size_t k = at;
  auto one = [&](const auto& field) {
    using T = std::decay_t<decltype(out.*(field.member))>;
    const Napi::Value value = info[k++];
    if constexpr (std::is_same_v<T, size_t>) {
      if constexpr (Pass == 2) {
        double v = NAN;
        napi_get_value_double(info.Env(), value, &v);  // not a number: napi_number_expected, v stays NaN
        if (!(v >= 0 && v <= 9007199254740991.0 && std::floor(v) == v)) {
          throw inputError(info.Env(), name + "." + field.name, "an integer >= 0", describeValue(value));
        }
        out.*(field.member) = static_cast<size_t>(v);
      }
    } else {
      static_assert(std::is_same_v<T, In>, "a record's fields are counts (size_t) and arrays read (In)");
      if constexpr (Pass == 3) {
        const F64View v = float64Field(info.Env(), value, name, field.name);
        out.*(field.member) = In{v.data, v.length};
      }
    }
  };
  std::apply([&](const auto&... field) { (one(field), ...); }, RecordFields<R>::fields);
}

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<Optional<T>> : std::true_type {};

/// The JS arguments a call must pass: all but the trailing optional ones (a record counts its fields).
template <typename... A>
constexpr size_t requiredArity() {
  constexpr bool optional[] = {IsOptional<std::decay_t<A>>::value..., false};
  constexpr size_t width[] = {Width<std::decay_t<A>>::value..., 0};
  size_t n = sizeof...(A);
  while (n > 0 && optional[n - 1]) n--;
  size_t js = 0;
  for (size_t i = 0; i < n; i++) js += width[i];
  return js;
}

/// The JS argument where parameter `I` of `Values` (a tuple of the parameter types) starts.
template <typename Values, size_t I>
constexpr size_t position() {
  if constexpr (I == 0) {
    return 0;
  } else {
    return position<Values, I - 1>() + Width<std::tuple_element_t<I - 1, Values>>::value;
  }
}

/// An entry's parameter types; Class: the counted entry's class (void for a plain entry).
template <typename F>
struct EntryTraits;
template <typename... A>
struct EntryTraits<Outcome (*)(A...)> {
  using Class = void;
  using Values = std::tuple<std::decay_t<A>...>;
  static constexpr size_t kArity = sizeof...(A);
  static constexpr size_t kJsArity = (Width<std::decay_t<A>>::value + ... + 0);
  static constexpr size_t kRequired = requiredArity<A...>();
};
template <typename C, typename... A>
struct EntryTraits<Outcome (C::*)(A...)> {
  using Class = C;
  using Values = std::tuple<std::decay_t<A>...>;
  static constexpr size_t kArity = sizeof...(A);
  static constexpr size_t kJsArity = (Width<std::decay_t<A>>::value + ... + 0);
  static constexpr size_t kRequired = requiredArity<A...>();
};

/// Reads the arguments of pass `Pass` into their places in `values` (objects read out of them into
/// `held`).
template <int Pass, typename Values, size_t... I>
void readPass(const Napi::CallbackInfo& info, const EntrySignature& sig, Values& values, std::vector<Napi::Value>& held,
              std::index_sequence<I...>) {
  auto one = [&](auto index) {
    constexpr size_t i = decltype(index)::value;
    constexpr size_t at = position<Values, i>();
    using T = std::tuple_element_t<i, Values>;
    if constexpr (IsRecord<T>::value) {
      readRecord<T, Pass>(info, at, sig.arguments[i], std::get<i>(values));
    } else if constexpr (Reader<T>::kPass == Pass) {
      std::get<i>(values) = Reader<T>::read(info, at, sig.arguments[i], held);
    }
  };
  (one(std::integral_constant<size_t, I>{}), ...);
}

/// A counted entry's result: its columns of `rows` rows as new Float64Arrays into `out` ({ name: column }),
/// their data pointers into `data`.
template <typename C>
Napi::Object newColumns(Napi::Env env, size_t rows, std::array<double*, std::size(C::kColumns)>& data) {
  Napi::Object out = Napi::Object::New(env);
  for (size_t k = 0; k < data.size(); k++) out.Set(C::kColumns[k], newFloat64Array(env, rows, data[k]));
  return out;
}

// GCC 12 at -O3 warns that `entry` "may be used uninitialized" where count() is called through its
// member pointer (every member has an initializer): a false positive, silenced for these two callers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/// A counted entry (entry.hpp: `count`, a member of class C) called now: count(), then its columns
/// allocated by V8 and filled.
template <typename F, typename Values>
Napi::Value countNow(const Napi::CallbackInfo& info, const EntrySignature& sig, F count, const Values& values) {
  using C = typename EntryTraits<F>::Class;
  C entry;
  const Outcome outcome = std::apply([&](const auto&... a) { return (entry.*count)(a...); }, values);
  if (!outcome.ok()) throw entryError(info.Env(), sig, outcome);
  std::array<double*, std::size(C::kColumns)> data{};
  Napi::Object out = newColumns<C>(info.Env(), entry.rows(), data);
  entry.fill(Columns{data.data(), entry.rows()});
  return out;
}

/// A counted entry on the thread pool: count() and fill() into memory of its own there, the columns
/// allocated and copied on the JS thread (one row a bar or a bucket: a few).
template <typename F, typename Values>
Napi::Value countAsync(const Napi::CallbackInfo& info, const std::vector<Napi::Value>& held, const EntrySignature& sig, F count,
                       Values values) {
  using C = typename EntryTraits<F>::Class;
  struct Result {
    size_t rows = 0;
    std::vector<double> columns;  // the columns one after another, `rows` values each
  };
  auto result = std::make_shared<Result>();
  constexpr size_t kCount = std::size(C::kColumns);
  auto work = [count, values = std::move(values), result]() -> Outcome {
    C entry;
    const Outcome outcome = std::apply([&](const auto&... a) { return (entry.*count)(a...); }, values);
    if (!outcome.ok()) return outcome;
    result->rows = entry.rows();
    result->columns.resize(kCount * result->rows);
    std::array<double*, kCount> data{};
    for (size_t k = 0; k < kCount; k++) data[k] = result->columns.data() + k * result->rows;
    entry.fill(Columns{data.data(), result->rows});
    return outcome;
  };
  auto resolve = [result](Napi::Env env) -> Napi::Value {
    std::array<double*, kCount> data{};
    Napi::Object out = newColumns<C>(env, result->rows, data);
    for (size_t k = 0; k < kCount; k++) {
      const double* from = result->columns.data() + k * result->rows;
      std::copy(from, from + result->rows, data[k]);
    }
    return out;
  };
  auto* worker = new KernelWorker(info, held, sig, std::function<Outcome()>(std::move(work)), std::move(resolve));
  const Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/// Where an entry's pointer lives for the life of the process: EntrySignature::entry points here.
template <auto Entry>
inline constexpr auto kEntry = Entry;

/// The JS function of the entries of type F (a function pointer, or a counted entry's member pointer):
/// arity, the arguments by type, then the entry the signature holds, now (throwing what it refused) or
/// on the thread pool (a Promise rejected with it). One instantiation per type, not per entry: the
/// indicators' 80 entries share a handful (the binding's compile time).
template <typename F, bool Async>
Napi::Value Call(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    using Traits = EntryTraits<F>;
    const EntrySignature& sig = *static_cast<const EntrySignature*>(info.Data());
    // trailing optional arguments: fewer than the required ones, or more than all, is the wrong count
    if (info.Length() < Traits::kRequired || info.Length() > Traits::kJsArity) {
      requireArgCount(info, info.Length() < Traits::kRequired ? Traits::kRequired : Traits::kJsArity);
    }
    typename Traits::Values values;
    std::vector<Napi::Value> held;
    const auto all = std::make_index_sequence<Traits::kArity>{};
    readPass<1>(info, sig, values, held, all);
    readPass<2>(info, sig, values, held, all);
    readPass<3>(info, sig, values, held, all);
    const F entry = *static_cast<const F*>(sig.entry);
    if constexpr (std::is_void_v<typename Traits::Class>) {
      return complete<Async>(info, held, sig, [entry, values = std::move(values)]() { return std::apply(entry, values); });
    } else if constexpr (Async) {
      return countAsync(info, held, sig, entry, std::move(values));
    } else {
      return countNow(info, sig, entry, values);
    }
  });
}

/// The names of a record parameter's fields as a JS Array, null for any other parameter (Values: a
/// tuple of the parameter types).
template <typename Values, size_t... I>
Napi::Array recordLayout(Napi::Env env, std::index_sequence<I...>) {
  Napi::Array layout = Napi::Array::New(env, sizeof...(I));
  auto one = [&](auto index) {
    constexpr size_t i = decltype(index)::value;
    using T = std::tuple_element_t<i, Values>;
    if constexpr (IsRecord<T>::value) {
      constexpr auto names = recordFieldNames<T>();
      Napi::Array fields = Napi::Array::New(env, names.size());
      for (uint32_t k = 0; k < names.size(); k++) fields.Set(k, names[k]);
      layout.Set(static_cast<uint32_t>(i), fields);
    } else {
      layout.Set(static_cast<uint32_t>(i), env.Null());
    }
  };
  (one(std::integral_constant<size_t, I>{}), ...);
  return layout;
}

/// Registers `Entry` as `name` and `name`Async, with the signature `sig`. An entry with record
/// parameters carries `records` (recordLayout): how the caller spreads them into arguments.
template <auto Entry>
void exportEntry(Napi::Env env, Napi::Object exports, const std::string& name, const EntrySignature& sig) {
  using F = decltype(Entry);
  using Traits = EntryTraits<F>;
  auto* data = const_cast<EntrySignature*>(&sig);
  data->entry = &kEntry<Entry>;
  Napi::Function sync = Napi::Function::New<Call<F, false>>(env, name, data);
  Napi::Function async = Napi::Function::New<Call<F, true>>(env, name + "Async", data);
  if constexpr (Traits::kJsArity != Traits::kArity) {
    const Napi::Array layout = recordLayout<typename Traits::Values>(env, std::make_index_sequence<Traits::kArity>{});
    sync.Set("records", layout);
    async.Set("records", layout);
  }
  exports.Set(name, sync);
  exports.Set(name + "Async", async);
}

/// Registers `Entry` as <prefix><Name> and <prefix><Name>Async (signature: "name(arg, ...)").
template <auto Entry>
void add(Napi::Env env, Napi::Object exports, const char* signature, const char* prefix = "") {
  const EntrySignature& sig = addSignature(env, signature, EntryTraits<decltype(Entry)>::kArity);
  std::string name = sig.kernel;
  if (*prefix != '\0') name = prefix + std::string(1, static_cast<char>(std::toupper(name[0]))) + name.substr(1);
  exportEntry<Entry>(env, exports, name, sig);
}

/// Registers `Entry` as `name` and `name`Async under another kernel's descriptor (the signature's name:
/// its parameters' faults are formatted from it), e.g. classifyQuotes under classifyTrades'.
template <auto Entry>
void addAs(Napi::Env env, Napi::Object exports, const char* name, const char* signature) {
  exportEntry<Entry>(env, exports, name, addSignature(env, signature, EntryTraits<decltype(Entry)>::kArity));
}

/// What a family's generated addEntries() (native/kernels/generated/<family>.hpp) registers through: add<Entry>.
struct Registrar {
  Napi::Env env;
  Napi::Object exports;
  template <auto Entry>
  void add(const char* signature) {
    binding::add<Entry>(env, exports, signature);
  }
  /// addAs<Entry>: `name` under the descriptor the signature names (an indicator's grid under the indicator's).
  template <auto Entry>
  void addAs(const char* name, const char* signature) {
    binding::addAs<Entry>(env, exports, name, signature);
  }
};

}  // namespace kernelbus::binding
