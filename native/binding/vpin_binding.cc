// Binding for the VPIN family: unpack (count, scalars, array kinds, pointers last), call the kernel,
// hand back arrays allocated by V8 before the kernel writes them. The packed parameters are checked
// by the kernel layer's unpackParams() (never trust the caller); faults become KernelInputError in TS.
#include <algorithm>

#include "classify.hpp"
#include "common.h"
#include "entry.h"
#include "host.hpp"
#include "pin_entry.hpp"
#include "vpin.hpp"
#if KERNELBUS_HAVE_METAL
#include "metal_runner.hpp"
#endif

namespace kernelbus::binding {
namespace {

using vpin::Params;

/// The VPIN kernels' faults name vpin's descriptor: their parameter faults index VPIN_PARAMS.
constexpr const char* kVpinKernel = "vpin";

void throwIfFault(Napi::Env env, const vpin::Status& s) {
  if (!s.ok()) throw faultError(env, s, kVpinKernel);
}

/// The packed VPIN parameters (Float64Array of kParamCount, or of kClassifyParamCount when classify).
Params paramsArg(const Napi::CallbackInfo& info, size_t i, bool classify) {
  const F64View packed = float64Arg(info, i, "params");
  Params p;
  throwIfFault(info.Env(),
               classify ? vpin::unpackClassifyParams(packed.data, packed.length, p) : vpin::unpackParams(packed.data, packed.length, p));
  return p;
}

/// The three trade columns of n rows, read in place (any alignment: see doubles.hpp).
struct TradeViews {
  Doubles ts, price, volume;
  size_t n;
};

/// Three Float64Array arguments from `first` on: ts, price, volume.
TradeViews tradesArg(const Napi::CallbackInfo& info, size_t first) {
  const F64View ts = float64Arg(info, first, "ts");
  const F64View price = float64Arg(info, first + 1, "price");
  const F64View volume = float64Arg(info, first + 2, "volume");
  requireSameLength(info.Env(), ts.length, "ts", price.length, "price");
  requireSameLength(info.Env(), ts.length, "ts", volume.length, "volume");
  return TradeViews{ts.data, price.data, volume.data, ts.length};
}

/// A Uint8Array argument holding `rows` little-endian float64 values of ts, then of price, then of
/// volume, at any byte offset (a trade frame's body as received from a socket): read in place.
TradeViews tradeBytesArg(const Napi::CallbackInfo& info, size_t i, size_t rows) {
  const U8View bytes = uint8Arg(info, i, "columns");
  if (rows > bytes.length / 24 || bytes.length != 24 * rows) {
    throw inputError(info.Env(), "columns", "24 bytes a row (" + std::to_string(rows) + " rows)", std::to_string(bytes.length) + " bytes");
  }
  return TradeViews{Doubles::fromBytes(bytes.data), Doubles::fromBytes(bytes.data + 8 * rows), Doubles::fromBytes(bytes.data + 16 * rows),
                    rows};
}

/// The trades' labels (Int8Array of n, argument i) when the classifier reads labels (2), else none: a
/// call with classifier 2 takes one argument more (`count` + 1).
const int8_t* labelsArg(const Napi::CallbackInfo& info, size_t i, const Params& p, size_t n) {
  if (p.classifier != 2) return nullptr;
  return int8Out(info, i, "labels", n);
}

/// The argument count of a call taking `count` arguments, and the labels after them under classifier 2.
void requireArgs(const Napi::CallbackInfo& info, size_t count, const Params& p) { requireArgCount(info, count + (p.classifier == 2)); }

/// New bucket columns of `rows` rows (vpin.hpp's kBucketColumnNames, in order), for the kernel to fill.
Napi::Object newBuckets(Napi::Env env, size_t rows, vpin::BucketColumns& columns) {
  Napi::Object out = Napi::Object::New(env);
  for (size_t k = 0; k < vpin::kBucketColumnCount; k++) {
    out.Set(vpin::kBucketColumnNames[k], newFloat64Array(env, rows, columns.*vpin::kBucketColumnFields[k]));
  }
  return out;
}

// vpinParamNames() -> string[]: the packed order the C++ layer reads (a test compares it with VPIN_PARAMS).
Napi::Value ParamNames(const Napi::CallbackInfo& info) {
  Napi::Array names = Napi::Array::New(info.Env(), vpin::kParamCount);
  for (size_t i = 0; i < vpin::kParamCount; i++) names.Set(i, Napi::String::New(info.Env(), vpin::kParamNames[i]));
  return names;
}

// timeBars(ts, price, volume, barMs) -> { start, open, close, volume, count }
Napi::Value TimeBars(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 4);
    const double barMs = numberArg(info, 3, "barMs");
    if (!(barMs > 0)) throwIfFault(env, vpin::Status{vpin::Fault::ParamInvalid, 2, barMs, 0});
    const TradeViews t = tradesArg(info, 0);
    vpin::Bars bars;
    throwIfFault(env, vpin::timeBars(t.ts, t.price, t.volume, t.n, barMs, bars));
    vpin::BarColumns columns{};
    Napi::Object out = Napi::Object::New(env);
    out.Set("start", newFloat64Array(env, bars.size(), columns.start));
    out.Set("open", newFloat64Array(env, bars.size(), columns.open));
    out.Set("close", newFloat64Array(env, bars.size(), columns.close));
    out.Set("volume", newFloat64Array(env, bars.size(), columns.volume));
    out.Set("count", newFloat64Array(env, bars.size(), columns.count));
    vpin::writeTimeBars(bars, barMs, columns);
    return out;
  });
}

// tickRule(price, out: Int8Array)
Napi::Value TickRule(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    requireArgCount(info, 2);
    const F64View price = float64Arg(info, 0, "price");
    int8_t* out = int8Out(info, 1, "out", price.length);
    throwIfFault(info.Env(), vpin::tickRule(price.data, price.length, out));
    return info.Env().Undefined();
  });
}

// classifyTrades()' parameters from argument `index`, their faults formatted from its parameter table.
classify::Params classifyParams(const Napi::CallbackInfo& info, size_t index) {
  const F64View packed = float64Arg(info, index, "params");
  classify::Params p;
  if (vpin::Status s = classify::unpack(Packed{packed.data, packed.length}, p); !s.ok()) throw faultError(info.Env(), s, "classifyTrades");
  return p;
}

// classifyTrades(ts, price, bid, ask, params (4), out: Int8Array): faults formatted from the
// descriptor's parameter table (the kernel name passed with them).
Napi::Value ClassifyTrades(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 6);
    const classify::Params p = classifyParams(info, 4);
    const F64View ts = float64Arg(info, 0, "ts");
    const F64View price = float64Arg(info, 1, "price");
    const F64View bid = float64Arg(info, 2, "bid");
    const F64View ask = float64Arg(info, 3, "ask");
    requireSameLength(env, ts.length, "ts", price.length, "price");
    requireSameLength(env, ts.length, "ts", bid.length, "bid");
    requireSameLength(env, ts.length, "ts", ask.length, "ask");
    int8_t* out = int8Out(info, 5, "out", ts.length);
    const vpin::Status s = classify::classifyTrades(ts.data, price.data, bid.data, ask.data, ts.length, p, out);
    if (!s.ok()) throw faultError(env, s, "classifyTrades");
    return env.Undefined();
  });
}

// classifyQuotes(ts, price, quoteTs, quoteBid, quoteAsk, params (4), out: Int8Array): classifyTrades
// with the quotes from a stream.
Napi::Value ClassifyQuotes(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 7);
    const classify::Params p = classifyParams(info, 5);
    const F64View ts = float64Arg(info, 0, "ts");
    const F64View price = float64Arg(info, 1, "price");
    const F64View quoteTs = float64Arg(info, 2, "quoteTs");
    const F64View bid = float64Arg(info, 3, "quoteBid");
    const F64View ask = float64Arg(info, 4, "quoteAsk");
    requireSameLength(env, ts.length, "ts", price.length, "price");
    requireSameLength(env, quoteTs.length, "quoteTs", bid.length, "quoteBid");
    requireSameLength(env, quoteTs.length, "quoteTs", ask.length, "quoteAsk");
    int8_t* out = int8Out(info, 6, "out", ts.length);
    const vpin::Status s =
        classify::classifyQuotes(ts.data, price.data, ts.length, quoteTs.data, bid.data, ask.data, quoteTs.length, p, out);
    if (!s.ok()) throw faultError(env, s, "classifyTrades");
    return env.Undefined();
  });
}

// The signature of a bulk classification kernel (vpin::bulkClassify, or the Metal backend's, host.hpp).
using BulkClassifyKernel = vpin::Status (*)(const double*, const double*, const double*, size_t, const Params&, double*);

// bulkClassify(open, close, volume, params (5), out: Float64Array)
template <BulkClassifyKernel Kernel>
Napi::Value BulkClassify(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 5);
    const Params p = paramsArg(info, 3, true);
    const F64View open = float64Arg(info, 0, "open");
    const F64View close = float64Arg(info, 1, "close");
    const F64View volume = float64Arg(info, 2, "volume");
    requireSameLength(env, open.length, "open", close.length, "close");
    requireSameLength(env, open.length, "open", volume.length, "volume");
    double* out = float64Out(info, 4, "out", open.length);
    throwIfFault(env, Kernel(open.data, close.data, volume.data, open.length, p, out));
    return env.Undefined();
  });
}

/// VPIN of the trades `t` (read in place; labelled under classifier 2) -> buckets.
Napi::Value vpinOf(Napi::Env env, const Params& p, const TradeViews& t, const int8_t* labels) {
  vpin::VpinStream stream(p, p.sigmaParam);
  size_t rows = 0;
  throwIfFault(env, vpin::prepareVpin(stream, t.ts, t.price, t.volume, t.n, p, rows, labels));
  vpin::BucketColumns columns{};
  Napi::Object out = newBuckets(env, rows, columns);
  stream.commit(columns);
  return out;
}

// vpin(ts, price, volume, params (9)[, labels: Int8Array under classifier 2]) -> buckets
Napi::Value Vpin(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 4) requireArgCount(info, 4);
    const Params p = paramsArg(info, 3, false);
    requireArgs(info, 4, p);
    const TradeViews t = tradesArg(info, 0);
    return vpinOf(info.Env(), p, t, labelsArg(info, 4, p, t.n));
  });
}

// vpinBytes(columns: Uint8Array, rows, params (9)[, labels]) -> buckets: vpin() of a trade frame's columns, in place.
Napi::Value VpinBytes(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 3) requireArgCount(info, 3);
    const size_t rows = countArg(info, 1, "rows");
    const Params p = paramsArg(info, 2, false);
    requireArgs(info, 3, p);
    const TradeViews t = tradeBytesArg(info, 0, rows);
    return vpinOf(info.Env(), p, t, labelsArg(info, 3, p, t.n));
  });
}

// vpinAsync(ts, price, volume, params (9)) -> Promise<buckets>: prepareVpin and commit() (the passes
// over the trades: commit() aggregates them again when their bars were many) on the thread pool, into
// columns of its own; the bucket arrays allocated and copied on the JS thread (a few rows: one a
// bucket).
class VpinWorker : public Napi::AsyncWorker {
 public:
  VpinWorker(const Napi::CallbackInfo& info, const Params& p, const TradeViews& t, const int8_t* labels)
      : Napi::AsyncWorker(info.Env()),
        deferred_(Napi::Promise::Deferred::New(info.Env())),
        p_(p),
        t_(t),
        labels_(labels),
        stream_(p, p.sigmaParam) {
    for (size_t i = 0; i < 3; i++) keep_.push_back(Napi::Persistent(info[i].As<Napi::Object>()));
    if (labels) keep_.push_back(Napi::Persistent(info[4].As<Napi::Object>()));
  }
  Napi::Promise promise() const { return deferred_.Promise(); }
  void Execute() override {
    try {
      status_ = vpin::prepareVpin(stream_, t_.ts, t_.price, t_.volume, t_.n, p_, rows_, labels_);
      if (!status_.ok()) return;
      buckets_.resize(vpin::kBucketColumnCount * rows_);
      stream_.commit(vpin::bucketColumnsIn(buckets_.data(), rows_));
    } catch (const std::bad_alloc&) {
      SetError("kernelbus: out of memory");
    }
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    if (!status_.ok()) {
      deferred_.Reject(faultError(Env(), status_, kVpinKernel).Value());
      return;
    }
    vpin::BucketColumns columns{};
    Napi::Object out = newBuckets(Env(), rows_, columns);
    for (size_t k = 0; k < vpin::kBucketColumnCount; k++) {
      std::copy(buckets_.data() + k * rows_, buckets_.data() + (k + 1) * rows_, columns.*vpin::kBucketColumnFields[k]);
    }
    deferred_.Resolve(out);
  }
  void OnError(const Napi::Error& e) override {
    Napi::HandleScope scope(Env());
    deferred_.Reject(Napi::RangeError::New(Env(), e.Message()).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Params p_;
  TradeViews t_;
  const int8_t* labels_;
  vpin::VpinStream stream_;
  vpin::Status status_{};
  size_t rows_ = 0;
  std::vector<double> buckets_;  // the bucket columns, rows_ each, written by Execute()
  std::vector<Napi::ObjectReference> keep_;
};

Napi::Value VpinAsync(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 4) requireArgCount(info, 4);
    const Params p = paramsArg(info, 3, false);
    requireArgs(info, 4, p);
    const TradeViews t = tradesArg(info, 0);
    auto* worker = new VpinWorker(info, p, t, labelsArg(info, 4, p, t.n));
    const Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  });
}

// new NativeVpinStream(params (10)): update(ts, price, volume[, labels]), updateBytes(columns: Uint8Array,
// rows[, labels]) (a trade frame's columns, read in place), flush(), exportState([history]), importState(s),
// bucketCount(); labels (Int8Array, one per trade) under classifier 2 only.
// update(), updateBytes() and flush() return undefined when they complete no bucket.
class NativeVpinStream : public Napi::ObjectWrap<NativeVpinStream> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeVpinStream",
                       {
                           InstanceMethod<&NativeVpinStream::Update>("update"),
                           InstanceMethod<&NativeVpinStream::UpdateBytes>("updateBytes"),
                           InstanceMethod<&NativeVpinStream::Flush>("flush"),
                           InstanceMethod<&NativeVpinStream::ExportState>("exportState"),
                           InstanceMethod<&NativeVpinStream::ImportState>("importState"),
                           InstanceMethod<&NativeVpinStream::BucketCount>("bucketCount"),
                       });
  }

  explicit NativeVpinStream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeVpinStream>(info) {
    requireArgCount(info, 1);
    const Params p = paramsArg(info, 0, false);
    if (p.classifier == 0 && p.sigmaKind == vpin::kSigmaSample) {
      throwIfFault(info.Env(), vpin::Status{vpin::Fault::StreamSigmaNotCausal, 5, 0, 0});
    }
    params_ = p;
    stream_ = std::make_unique<vpin::VpinStream>(p, p.sigmaParam);
  }

 private:
  // Runs prepare() then commit() into new columns; most batches complete no bucket: undefined then.
  Napi::Value Pour(Napi::Env env, const TradeViews& t, bool closeAtEnd, const int8_t* labels = nullptr) {
    size_t rows = 0;
    throwIfFault(env, stream_->prepare(t.ts, t.price, t.volume, t.n, closeAtEnd, rows, labels));
    vpin::BucketColumns columns{};
    Napi::Value out = rows == 0 ? env.Undefined() : Napi::Value(newBuckets(env, rows, columns));
    stream_->commit(columns);
    return out;
  }

  Napi::Value Update(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      requireArgs(info, 3, params_);
      const TradeViews t = tradesArg(info, 0);
      return Pour(info.Env(), t, false, labelsArg(info, 3, params_, t.n));
    });
  }

  Napi::Value UpdateBytes(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      requireArgs(info, 2, params_);
      const size_t rows = countArg(info, 1, "rows");
      const TradeViews t = tradeBytesArg(info, 0, rows);
      return Pour(info.Env(), t, false, labelsArg(info, 2, params_, t.n));
    });
  }

  Napi::Value Flush(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      requireArgCount(info, 0);
      return Pour(info.Env(), TradeViews{nullptr, nullptr, nullptr, 0}, true);
    });
  }

  Napi::Value ExportState(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      // exportState([history = true]): false leaves the CDF history out (an incremental checkpoint's part)
      const bool history = info.Length() < 1 || !info[0].IsBoolean() || info[0].As<Napi::Boolean>().Value();
      double* data = nullptr;
      Napi::Float64Array out = newFloat64Array(info.Env(), stream_->stateSize(history), data);
      stream_->exportState(data, history);
      return out;
    });
  }

  Napi::Value ImportState(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      requireArgCount(info, 1);
      const F64View state = float64Arg(info, 0, "state");
      throwIfFault(info.Env(), stream_->importState(state.data, state.length));
      return info.Env().Undefined();
    });
  }

  Napi::Value BucketCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), stream_->bucketCount()); }

  Params params_;
  std::unique_ptr<vpin::VpinStream> stream_;
};

}  // namespace

void registerVpin(Napi::Env env, Napi::Object exports) {
  exports.Set("vpinParamNames", Napi::Function::New<ParamNames>(env, "vpinParamNames"));
  exports.Set("timeBars", Napi::Function::New<TimeBars>(env, "timeBars"));
  exports.Set("tickRule", Napi::Function::New<TickRule>(env, "tickRule"));
  exports.Set("classifyTrades", Napi::Function::New<ClassifyTrades>(env, "classifyTrades"));
  exports.Set("classifyQuotes", Napi::Function::New<ClassifyQuotes>(env, "classifyQuotes"));
  exports.Set("bulkClassify", Napi::Function::New<BulkClassify<vpin::bulkClassify>>(env, "bulkClassify"));
  // the same checks in front of the Metal backend's kernel: on the CPU harness (every platform), on the GPU (Apple)
  exports.Set("shaderBulkClassify",
              Napi::Function::New<BulkClassify<shader::On<shader::cpuRunner>::bulkClassify>>(env, "shaderBulkClassify"));
#if KERNELBUS_HAVE_METAL
  exports.Set("metalBulkClassify",
              Napi::Function::New<BulkClassify<shader::On<shader::metalRunner>::bulkClassify>>(env, "metalBulkClassify"));
#endif
  exports.Set("vpin", Napi::Function::New<Vpin>(env, "vpin"));
  exports.Set("vpinBytes", Napi::Function::New<VpinBytes>(env, "vpinBytes"));
  exports.Set("vpinAsync", Napi::Function::New<VpinAsync>(env, "vpinAsync"));
  Napi::Function ctor = NativeVpinStream::Define(env);
  addonData(env).vpinStream = Napi::Persistent(ctor);
  exports.Set("NativeVpinStream", ctor);
  add<pin::entry::pinLikelihood>(env, exports, "pinLikelihood(buys, sells, params, out)");
  add<pin::entry::pin>(env, exports, "pin(buys, sells, sets, params, out)");
}

}  // namespace kernelbus::binding
