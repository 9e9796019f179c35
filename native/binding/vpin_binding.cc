// Binding for the VPIN family: unpack (count, scalars, array kinds, pointers last), call the kernel,
// wrap the result. Mirrors the TS argument checks (never trust the caller).
#include <cmath>
#include <string>

#include "common.h"

namespace kernelbus::binding {
namespace {

using vpin::Params;

bool isIntegerIn(double x, double lo, double hi) { return std::floor(x) == x && x >= lo && x <= hi; }

/// Reads the 5 classification parameters (priceChange, sigmaKind, sigmaParam, distribution, nu) into p.
void classifyArgs(const Napi::CallbackInfo& info, size_t first, Params& p) {
  Napi::Env env = info.Env();
  const double priceChange = numberArg(info, first, "priceChange");
  const double sigmaKind = numberArg(info, first + 1, "sigmaKind");
  p.sigmaParam = numberArg(info, first + 2, "sigmaParam");
  const double distribution = numberArg(info, first + 3, "distribution");
  p.nu = numberArg(info, first + 4, "nu");
  if (!isIntegerIn(priceChange, 0, 1)) throw inputError(env, "priceChange", "0 or 1", std::to_string(priceChange));
  if (!isIntegerIn(sigmaKind, 0, 3)) throw inputError(env, "sigmaKind", "0, 1, 2 or 3", std::to_string(sigmaKind));
  if (!isIntegerIn(distribution, 0, 1)) throw inputError(env, "distribution", "0 or 1", std::to_string(distribution));
  p.priceChange = static_cast<int>(priceChange);
  p.sigmaKind = static_cast<int>(sigmaKind);
  p.distribution = static_cast<int>(distribution);
  if (p.sigmaKind == vpin::kSigmaFixed && !(p.sigmaParam > 0)) {
    throw inputError(env, "sigmaParam", "a number > 0 for a fixed sigma", std::to_string(p.sigmaParam));
  }
  if (p.sigmaKind == vpin::kSigmaRolling && !isIntegerIn(p.sigmaParam, 2, 1e6)) {
    throw inputError(env, "sigmaParam", "an integer in [2, 1000000] for a rolling sigma", std::to_string(p.sigmaParam));
  }
  if (p.sigmaKind == vpin::kSigmaEwma && !(p.sigmaParam >= 0 && p.sigmaParam < 1)) {
    throw inputError(env, "sigmaParam", "a number in [0, 1) for an EWMA sigma", std::to_string(p.sigmaParam));
  }
  if (p.distribution == 1 && !(p.nu > 0)) throw inputError(env, "nu", "a number > 0", std::to_string(p.nu));
}

/// Reads the 9 numeric parameters starting at argument `first` (order of VpinParams).
Params paramsArg(const Napi::CallbackInfo& info, size_t first) {
  Napi::Env env = info.Env();
  Params p;
  p.bucketVolume = numberArg(info, first, "bucketVolume");
  const double window = numberArg(info, first + 1, "window");
  p.barMs = numberArg(info, first + 2, "barMs");
  const double classifier = numberArg(info, first + 3, "classifier");
  classifyArgs(info, first + 4, p);
  if (!(p.bucketVolume > 0)) throw inputError(env, "bucketVolume", "a finite number > 0", std::to_string(p.bucketVolume));
  if (!isIntegerIn(window, 1, 1e6)) throw inputError(env, "window", "an integer in [1, 1000000]", std::to_string(window));
  if (!(p.barMs > 0)) throw inputError(env, "barMs", "a finite number > 0", std::to_string(p.barMs));
  if (!isIntegerIn(classifier, 0, 1)) throw inputError(env, "classifier", "0 or 1", std::to_string(classifier));
  p.window = static_cast<int64_t>(window);
  p.classifier = static_cast<int>(classifier);
  return p;
}

struct TradeViews {
  F64View ts, price, volume;
};

TradeViews tradesArg(const Napi::CallbackInfo& info, size_t first) {
  TradeViews t{float64Arg(info, first, "ts"), float64Arg(info, first + 1, "price"),
               float64Arg(info, first + 2, "volume")};
  requireSameLength(info.Env(), t.ts, "ts", t.price, "price");
  requireSameLength(info.Env(), t.ts, "ts", t.volume, "volume");
  return t;
}

Napi::Object bucketsObject(Napi::Env env, const vpin::Buckets& b) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("endTs", toFloat64Array(env, b.endTs));
  out.Set("buyVolume", toFloat64Array(env, b.buyVolume));
  out.Set("sellVolume", toFloat64Array(env, b.sellVolume));
  out.Set("vpin", toFloat64Array(env, b.vpin));
  out.Set("cdf", toFloat64Array(env, b.cdf));
  return out;
}

// timeBars(ts, price, volume, barMs) -> { start, open, close, volume, count }
Napi::Value TimeBars(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 4);
    const double barMs = numberArg(info, 3, "barMs");
    if (!(barMs > 0)) throw inputError(env, "barMs", "a finite number > 0", std::to_string(barMs));
    const TradeViews t = tradesArg(info, 0);
    vpin::TimeBars bars;
    const vpin::Status s = vpin::timeBars(t.ts.data, t.price.data, t.volume.data, t.ts.length, barMs, bars);
    if (!s.ok()) throw faultError(env, s);
    Napi::Object out = Napi::Object::New(env);
    out.Set("start", toFloat64Array(env, bars.start));
    out.Set("open", toFloat64Array(env, bars.open));
    out.Set("close", toFloat64Array(env, bars.close));
    out.Set("volume", toFloat64Array(env, bars.volume));
    out.Set("count", toFloat64Array(env, bars.count));
    return out;
  });
}

// tickRule(price) -> Int8Array
Napi::Value TickRule(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 1);
    const F64View price = float64Arg(info, 0, "price");
    std::vector<int8_t> signs(price.length);
    const vpin::Status s = vpin::tickRule(price.data, price.length, signs.data());
    if (!s.ok()) throw faultError(env, s);
    Napi::Int8Array out = Napi::Int8Array::New(env, signs.size());
    std::copy(signs.begin(), signs.end(), out.Data());
    return out;
  });
}

// bulkClassify(open, close, volume, priceChange, sigmaKind, sigmaParam, distribution, nu) -> Float64Array
Napi::Value BulkClassify(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 8);
    Params p;
    classifyArgs(info, 3, p);
    const F64View open = float64Arg(info, 0, "open");
    const F64View close = float64Arg(info, 1, "close");
    const F64View volume = float64Arg(info, 2, "volume");
    requireSameLength(env, open, "open", close, "close");
    requireSameLength(env, open, "open", volume, "volume");
    std::vector<double> buy(open.length);
    const vpin::Status s = vpin::bulkClassify(open.data, close.data, volume.data, open.length, p, buy.data());
    if (!s.ok()) throw faultError(env, s);
    return toFloat64Array(env, buy);
  });
}

// vpin(ts, price, volume, ...9 params) -> buckets
Napi::Value Vpin(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 12);
    const Params p = paramsArg(info, 3);
    const TradeViews t = tradesArg(info, 0);
    vpin::Buckets buckets;
    const vpin::Status s = vpin::vpin(t.ts.data, t.price.data, t.volume.data, t.ts.length, p, buckets);
    if (!s.ok()) throw faultError(env, s);
    return bucketsObject(env, buckets);
  });
}

// new NativeVpinStream(...9 params): update(ts, price, volume), flush(), exportState(), importState(s).
// update() and flush() return undefined when they complete no bucket.
class NativeVpinStream : public Napi::ObjectWrap<NativeVpinStream> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeVpinStream",
                       {
                           InstanceMethod<&NativeVpinStream::Update>("update"),
                           InstanceMethod<&NativeVpinStream::Flush>("flush"),
                           InstanceMethod<&NativeVpinStream::ExportState>("exportState"),
                           InstanceMethod<&NativeVpinStream::ImportState>("importState"),
                           InstanceMethod<&NativeVpinStream::BucketCount>("bucketCount"),
                       });
  }

  explicit NativeVpinStream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeVpinStream>(info) {
    requireArgCount(info, 9);
    const Params p = paramsArg(info, 0);
    if (p.classifier == 0 && p.sigmaKind == vpin::kSigmaSample) {
      throw inputError(info.Env(), "sigmaKind", "a causal sigma for a stream", "sample");
    }
    stream_ = std::make_unique<vpin::VpinStream>(p, p.sigmaParam);
  }

 private:
  Napi::Value Update(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      requireArgCount(info, 3);
      const TradeViews t = tradesArg(info, 0);
      vpin::Buckets buckets;
      const vpin::Status s = stream_->update(t.ts.data, t.price.data, t.volume.data, t.ts.length, buckets);
      if (!s.ok()) throw faultError(info.Env(), s);
      // Most batches complete no bucket: undefined then, cheaper than five empty typed arrays.
      return buckets.size() == 0 ? info.Env().Undefined() : Napi::Value(bucketsObject(info.Env(), buckets));
    });
  }

  Napi::Value Flush(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      requireArgCount(info, 0);
      vpin::Buckets buckets;
      const vpin::Status s = stream_->flush(buckets);
      if (!s.ok()) throw faultError(info.Env(), s);
      return buckets.size() == 0 ? info.Env().Undefined() : Napi::Value(bucketsObject(info.Env(), buckets));
    });
  }

  Napi::Value ExportState(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value { return toFloat64Array(info.Env(), stream_->exportState()); });
  }

  Napi::Value ImportState(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      requireArgCount(info, 1);
      const F64View state = float64Arg(info, 0, "state");
      const vpin::Status s = stream_->importState(state.data, state.length);
      if (!s.ok()) throw faultError(info.Env(), s);
      return info.Env().Undefined();
    });
  }

  Napi::Value BucketCount(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), stream_->bucketCount());
  }

  std::unique_ptr<vpin::VpinStream> stream_;
};

}  // namespace

void registerVpin(Napi::Env env, Napi::Object exports) {
  exports.Set("timeBars", Napi::Function::New<TimeBars>(env, "timeBars"));
  exports.Set("tickRule", Napi::Function::New<TickRule>(env, "tickRule"));
  exports.Set("bulkClassify", Napi::Function::New<BulkClassify>(env, "bulkClassify"));
  exports.Set("vpin", Napi::Function::New<Vpin>(env, "vpin"));
  Napi::Function ctor = NativeVpinStream::Define(env);
  addonData(env).vpinStream = Napi::Persistent(ctor);
  exports.Set("NativeVpinStream", ctor);
}

}  // namespace kernelbus::binding
