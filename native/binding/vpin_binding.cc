// Binding for the VPIN family: its kernels are entries (native/kernels/vpin/vpin_entry.hpp, pin_entry.hpp),
// registered by one line each (entry.h); what is left here is the stream, a class holding a VpinStream
// across calls: unpack (count, scalars, array kinds, pointers last), call the kernel, hand back arrays
// allocated by V8 before the kernel writes them. The packed parameters are checked by the kernel layer's
// unpackParams() (never trust the caller); faults become KernelInputError in TS.
#include <memory>
#include <string>

#include "common.h"
#include "entry.h"
#include "host.hpp"
#include "vpin/pin_entry.hpp"
#include "vpin/vpin.hpp"
#include "vpin/vpin_entry.hpp"
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

/// The packed VPIN parameters (a Float64Array of kParamCount).
Params paramsArg(const Napi::CallbackInfo& info, size_t i) {
  const F64View packed = float64Arg(info, i, "params");
  Params p;
  throwIfFault(info.Env(), vpin::unpackParams(packed.data, packed.length, p));
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

/// A Uint8Array argument holding a trade frame's `rows` rows (vpin_entry.hpp frameColumns): read in place.
TradeViews tradeBytesArg(const Napi::CallbackInfo& info, size_t i, size_t rows) {
  const U8View bytes = uint8Arg(info, i, "columns");
  vpin::entry::FrameColumns f;
  const Outcome o = vpin::entry::frameColumns(static_cast<int>(i), Bytes{bytes.data, bytes.length}, rows, f);
  if (!o.ok()) throw inputError(info.Env(), "columns", o.arg.expected, o.arg.actual);
  return TradeViews{f.ts, f.price, f.volume, rows};
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
    const Params p = paramsArg(info, 0);
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
  using namespace vpin::entry;  // NOLINT: the family's entries, one line each
  add<&TimeBars::count>(env, exports, "timeBars(ts, price, volume, barMs)");
  add<tickRule>(env, exports, "tickRule(price, out)");
  add<classifyTrades>(env, exports, "classifyTrades(ts, price, bid, ask, params, out)");
  addAs<classifyQuotes>(env, exports, "classifyQuotes", "classifyTrades(ts, price, quoteTs, quoteBid, quoteAsk, params, out)");
  add<bulkClassify<>>(env, exports, "bulkClassify(open, close, volume, params, out)");
  // the same checks in front of the Metal backend's kernel: on the CPU harness (every platform), on the GPU (Apple)
  add<bulkClassify<shader::On<shader::cpuRunner>::bulkClassify>>(env, exports, "bulkClassify(open, close, volume, params, out)", "shader");
#if KERNELBUS_HAVE_METAL
  add<bulkClassify<shader::On<shader::metalRunner>::bulkClassify>>(env, exports, "bulkClassify(open, close, volume, params, out)", "metal");
#endif
  add<&Vpin::count>(env, exports, "vpin(ts, price, volume, params, labels)");
  addAs<&VpinBytes::count>(env, exports, "vpinBytes", "vpin(columns, rows, params, labels)");
  Napi::Function ctor = NativeVpinStream::Define(env);
  addonData(env).vpinStream = Napi::Persistent(ctor);
  exports.Set("NativeVpinStream", ctor);
  add<pin::entry::pinLikelihood>(env, exports, "pinLikelihood(buys, sells, params, out)");
  add<pin::entry::pin>(env, exports, "pin(buys, sells, sets, params, out)");
}

}  // namespace kernelbus::binding
