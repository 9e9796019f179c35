// Binding for the backtest family: backtestSimulate(sim, valueGroups) and its Async read the
// Simulation record (src/kernels/backtest/backtest-records.ts SIMULATION) by name with its generated
// reader (generated/backtest_records.h: a few dozen fields, microseconds beside a simulation), check it
// again (backtest::checkSimulation), run backtest::simulate and return { orders, trades }, or { fault, row,
// col, value } where the simulation stopped (the TS side throws the fault's KernelInputError, one
// text for every backend); backtestSeries(input, out) makes a result's series from its
// SeriesInput record, backtestStats(input, periodsPerYear) reads the StatsInput record the same way;
// backtestSignalBytes(x, out) turns signals given as numbers into the record's bytes.
#include <algorithm>
#include <cmath>
#include <memory>

#include "async.h"
#include "backtest/check.hpp"
#include "common.h"
#include "generated/backtest_records.h"

namespace kernelbus::binding {

namespace {

constexpr const char* kOrderFields[] = {"col", "idx", "size", "price", "fees", "side"};  // after "id"
constexpr const char* kTradeFields[] = {"id",        "col",      "size", "entryIdx", "entryPrice", "entryFees", "exitIdx",
                                        "exitPrice", "exitFees", "pnl",  "return",   "direction",  "status",    "positionId"};

/// The record read and checked, with the arrays it points into (kept alive by the caller's call or the worker).
struct Read {
  backtest::Simulation sim;
  const int32_t* valueGroups = nullptr;
  size_t G = 0;
};

Read readArguments(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() != 2 && info.Length() != 3) throw inputError(env, "arguments", "2 or 3 arguments", std::to_string(info.Length()));
  Read r;
  r.sim = readSimulation(env, info[0], "sim");
  const I32View groups = int32Arg(info, 1, "valueGroups");
  r.valueGroups = groups.data;
  r.G = groups.length;
  std::string argument, expected;
  if (!backtest::checkSimulation(r.sim, r.valueGroups, r.G, argument, expected))
    throw inputError(env, argument, expected, "a value out of range");
  return r;
}

/// The result object: the records' columns (each written from the chunks' records into its array), or the fault.
Napi::Value resultOf(Napi::Env env, const backtest::FaultAt& fault, const backtest::Records& records) {
  Napi::Object result = Napi::Object::New(env);
  if (!fault.ok()) {
    result.Set("fault", double(fault.fault));
    result.Set("row", double(fault.row));
    result.Set("col", double(fault.col));
    result.Set("value", fault.value);
    return result;
  }
  // the fields as views of one fresh buffer left unzeroed (write() fills every element), written on the
  // pool's threads: orders' id then kOrderFields, then the trades' kTradeFields
  constexpr size_t kOrders = 7, kFields = kOrders + backtest::kTradeFields;
  const size_t n = records.orderCount(), m = records.tradeCount();
  size_t lengths[kFields];
  double* to[kFields];
  std::fill(lengths, lengths + kOrders, n);
  std::fill(lengths + kOrders, lengths + kFields, m);
  const std::vector<Napi::Float64Array> arrays = newUnfilledFloat64Arrays(env, lengths, kFields, to);
  Napi::Object orders = Napi::Object::New(env);
  orders.Set("id", arrays[0]);
  for (size_t f = 0; f + 1 < kOrders; f++) orders.Set(kOrderFields[f], arrays[f + 1]);
  Napi::Object trades = Napi::Object::New(env);
  for (size_t f = 0; f < backtest::kTradeFields; f++) trades.Set(kTradeFields[f], arrays[kOrders + f]);
  records.write(to, to + kOrders);
  result.Set("orders", orders);
  result.Set("trades", trades);
  return result;
}

Napi::Value simulate(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const Read r = readArguments(info);
    backtest::Records records;
    const backtest::FaultAt fault = backtest::simulate(r.sim, r.valueGroups, r.G, records);
    return resultOf(info.Env(), fault, records);
  });
}

/// The async form's records and fault, kept until the promise settles.
struct Held {
  backtest::Records records;
  backtest::FaultAt fault;
};

Napi::Value simulateAsync(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const Read r = readArguments(info);
    auto held = std::make_shared<Held>();
    const auto* sig = static_cast<const EntrySignature*>(info.Data());
    auto* worker = new KernelWorker(
        info, {}, *sig,
        [r, held]() {
          held->fault = backtest::simulate(r.sim, r.valueGroups, r.G, held->records);
          return Outcome{};
        },
        [held](Napi::Env env) { return resultOf(env, held->fault, held->records); });
    worker->Queue();
    return worker->promise();
  });
}

/// backtestSeries(input, out): the series `out` holds ({ assets?, cash?, value? }: Float64Arrays of their
/// lengths, every element written) of the SeriesInput record, in one pass.
Napi::Value seriesOf(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const Napi::Env env = info.Env();
    if (info.Length() != 2) throw inputError(env, "arguments", "2 arguments", std::to_string(info.Length()));
    if (!info[0].IsObject()) throw inputError(env, "input", "a SeriesInput record", describeValue(info[0]));
    const backtest::SeriesInput in = readSeriesInput(env, info[0], "input");
    std::string argument, expected;
    if (!backtest::checkSeries(in, argument, expected)) throw inputError(env, argument, expected, "a value out of range");
    if (!info[1].IsObject())
      throw inputError(env, "out", "an object of the series' arrays { assets, cash, value }", describeValue(info[1]));
    const Napi::Object o = info[1].As<Napi::Object>();
    backtest::SeriesOut out;
    const char* names[] = {"assets", "cash", "value"};
    double** to[] = {&out.assets, &out.cash, &out.value};
    for (size_t f = 0; f < 3; f++) {
      const Napi::Value v = o.Get(names[f]);
      if (v.IsUndefined()) continue;
      const F64View view = float64Field(env, v, "out", names[f]);
      const size_t length = in.rows * (f == 0 ? in.cols : in.groups);
      if (view.length != length)
        throw inputError(env, std::string("out.") + names[f], std::to_string(length) + " values", std::to_string(view.length));
      *to[f] = const_cast<double*>(view.data);
    }
    backtest::series(in, out);
    return env.Undefined();
  });
}

/// The optional third argument: the fields to compute, a mask of STAT_FIELDS' bits (default all).
uint32_t wantedStats(const Napi::CallbackInfo& info) {
  if (info.Length() < 3 || info[2].IsUndefined()) return backtest::kAllStats;
  const double want = numberArg(info, 2, "fields");
  if (!(want >= 1 && want <= backtest::kAllStats && want == std::floor(want)))
    throw inputError(info.Env(), "fields", "a mask of the stat fields' bits", describeValue(info[2]));
  return uint32_t(want);
}

/// The StatsInput record (src/kernels/backtest/backtest-records.ts STATS_INPUT) read and checked.
backtest::StatsInput readStats(const Napi::CallbackInfo& info, double& periodsPerYear) {
  const Napi::Env env = info.Env();
  if (info.Length() != 2 && info.Length() != 3) throw inputError(env, "arguments", "2 or 3 arguments", std::to_string(info.Length()));
  if (!info[0].IsObject()) throw inputError(env, "input", "a StatsInput record", describeValue(info[0]));
  periodsPerYear = numberArg(info, 1, "periodsPerYear");
  if (!(periodsPerYear > 0)) throw inputError(env, "periodsPerYear", "a finite number > 0", describeValue(info[1]));
  const backtest::StatsInput in = readStatsInput(env, info[0], "input");
  std::string argument, expected;
  if (!backtest::checkStats(in, argument, expected)) throw inputError(env, argument, expected, "a value out of range");
  return in;
}

Napi::Value stats(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    double periods = 0;
    const backtest::StatsInput in = readStats(info, periods);
    const uint32_t want = wantedStats(info);
    double* out = nullptr;
    Napi::Float64Array rows = newFloat64Array(info.Env(), in.groups * backtest::kStatFields, out);
    backtest::stats(in, periods, out, want);
    return rows;
  });
}

Napi::Value statsAsync(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    double periods = 0;
    const backtest::StatsInput in = readStats(info, periods);
    const uint32_t want = wantedStats(info);
    double* out = nullptr;
    Napi::Float64Array rows = newFloat64Array(info.Env(), in.groups * backtest::kStatFields, out);
    auto held = std::make_shared<Napi::Reference<Napi::Float64Array>>(Napi::Persistent(rows));
    const auto* sig = static_cast<const EntrySignature*>(info.Data());
    auto* worker = new KernelWorker(
        info, {}, *sig,
        [in, periods, out, want]() {
          backtest::stats(in, periods, out, want);
          return Outcome{};
        },
        [held](Napi::Env) -> Napi::Value { return held->Value(); });
    worker->Queue();
    return worker->promise();
  });
}

/// backtest::signalBytes over a typed array's elements of type T.
template <typename T>
void signalBytesAs(const void* x, size_t n, uint8_t* out) {
  backtest::signalBytes(static_cast<const T*>(x), n, out);
}

using SignalBytes = void (*)(const void* x, size_t n, uint8_t* out);

/// The signalBytes of a typed array's element type; nullptr for bytes (the caller views them) and others.
SignalBytes signalBytesOfType(napi_typedarray_type type) {
  // clang-format off
  switch (type) {
    case napi_float64_array: return signalBytesAs<double>;
    case napi_float32_array: return signalBytesAs<float>;
    case napi_int16_array: return signalBytesAs<int16_t>;
    case napi_uint16_array: return signalBytesAs<uint16_t>;
    case napi_int32_array: return signalBytesAs<int32_t>;
    case napi_uint32_array: return signalBytesAs<uint32_t>;
    case napi_bigint64_array: return signalBytesAs<int64_t>;
    case napi_biguint64_array: return signalBytesAs<uint64_t>;
    default: return nullptr;
  }
  // clang-format on
}

// backtestSignalBytes(x, out: Uint8Array): signals given as numbers (x a typed array of doubles, floats,
// 16-, 32- or 64-bit integers) written into `out` (x's length) as the bytes a Simulation record reads
// (backtest::signalBytes).
Napi::Value signalBytesOf(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const Napi::Env env = info.Env();
    requireArgCount(info, 2);
    napi_typedarray_type type{};
    size_t n = 0;
    void* data = nullptr;
    // not a typed array: napi_invalid_arg, and nothing thrown
    const bool typed = napi_get_typedarray_info(env, info[0], &type, &n, &data, nullptr, nullptr) == napi_ok;
    const SignalBytes convert = typed ? signalBytesOfType(type) : nullptr;
    if (convert == nullptr) {
      throw inputError(env, "x", "a typed array of numbers wider than a byte (Float64Array, Float32Array, Int32Array, ...)",
                       describeValue(info[0]));
    }
    const U8OutView out = uint8OutArg(info, 1, "out");
    requireSameLength(env, n, "x", out.length, "out");
    convert(data, n, out.data);
    return env.Undefined();
  });
}

}  // namespace

void registerBacktest(Napi::Env env, Napi::Object exports) {
  exports.Set("backtestSimulate", Napi::Function::New(env, simulate, "backtestSimulate"));
  const EntrySignature& sig = addSignature(env, "backtestSimulate(sim, valueGroups)", 2);
  exports.Set("backtestSimulateAsync", Napi::Function::New(env, simulateAsync, "backtestSimulateAsync", const_cast<EntrySignature*>(&sig)));
  exports.Set("backtestSeries", Napi::Function::New(env, seriesOf, "backtestSeries"));
  exports.Set("backtestSignalBytes", Napi::Function::New(env, signalBytesOf, "backtestSignalBytes"));
  const EntrySignature& statsSig = addSignature(env, "backtestStats(input, periodsPerYear)", 2);
  exports.Set("backtestStats", Napi::Function::New(env, stats, "backtestStats"));
  exports.Set("backtestStatsAsync", Napi::Function::New(env, statsAsync, "backtestStatsAsync", const_cast<EntrySignature*>(&statsSig)));
}

}  // namespace kernelbus::binding
