// Binding for the CSV block parser (native/io/csv.hpp): csvParseBlock(bytes, params, kinds, required,
// out) -> BlockResult (src/io/types.ts), and csvParseBlockAsync, the same on the libuv thread pool.
// Guards in a fixed order: the argument count; the packed scalars [delimiter, firstLine, final,
// skipBadRows, rowOffset]; out's elements read (the only reads of a JS object); the typed arrays'
// kinds, lengths and codes; data pointers last. No JS runs between taking the pointers and the
// parser's return. Faults are data (the result's fault / firstBad), never exceptions: TS formats
// their messages (src/io/csv-faults.ts).
#include <cmath>
#include <future>
#include <new>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "async.h"
#include "common.h"
#include "csv.hpp"
#include "nan_scan.hpp"
#include "trade_run.hpp"
#include "csv_returns.hpp"

namespace kernelbus::binding {
namespace {

using csv::Kind;

constexpr const char* kKindNames[] = {"skip", "number", "text", "time (s)", "time (ms)", "time (us)", "time (ns)"};

/// An integer argument packed in params[i] within [lo, hi].
double packedInteger(Napi::Env env, const double* params, size_t i, const char* name, double lo, double hi, const char* expected) {
  const double v = params[i];
  if (!(v >= lo && v <= hi && std::floor(v) == v)) throw inputError(env, name, expected, Napi::Number::New(env, v).ToString().Utf8Value());
  return v;
}

/// The typed array out[col] must be for its kind (null or undefined for skip); its data and length.
struct OutColumn {
  csv::ColumnOut out;
  size_t length = 0;
  bool present = false;
};

OutColumn outColumn(Napi::Env env, const Napi::Value& value, size_t col, uint8_t kind) {
  const std::string name = "out[" + std::to_string(col) + "]";
  OutColumn c;
  if (kind == static_cast<uint8_t>(Kind::Skip)) {
    if (!value.IsNull() && !value.IsUndefined()) throw inputError(env, name, "null (a skipped column)", describeValue(value));
    return c;
  }
  const bool text = kind == static_cast<uint8_t>(Kind::Text);
  const napi_typedarray_type type = text ? napi_int32_array : napi_float64_array;
  const std::string expected = std::string(text ? "an Int32Array" : "a Float64Array") + " (a " + kKindNames[kind] + " column)";
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type)
    throw inputError(env, name, expected, describeValue(value));
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  if (array.ArrayBuffer().IsDetached()) throw inputError(env, name, expected + " with an attached buffer", "a detached buffer");
  c.present = true;
  c.length = array.ElementLength();
  if (text) {
    c.out.i32 = value.As<Napi::Int32Array>().Data();
  } else {
    c.out.f64 = value.As<Napi::Float64Array>().Data();
  }
  return c;
}

Napi::Object faultObject(Napi::Env env, const uint8_t* bytes, const csv::BlockFault& f) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("code", Napi::Number::New(env, static_cast<int>(f.code)));
  o.Set("line", Napi::Number::New(env, f.line));
  o.Set("column", Napi::Number::New(env, f.column));
  o.Set("field", Napi::Number::New(env, static_cast<double>(f.field)));
  o.Set("text", Napi::String::New(env, csv::faultText(bytes, f)));
  return o;
}

// The packed delimiter at params[0]: a byte other than the quote, CR, LF and space (else KernelInputError).
uint8_t packedDelimiter(Napi::Env env, const double* params) {
  const char* byte = "a byte (0-255) other than '\"', '\\r', '\\n' and ' '";
  const double delimiter = packedInteger(env, params, 0, "plan.delimiter", 0, 255, byte);
  if (delimiter == '"' || delimiter == '\r' || delimiter == '\n' || delimiter == ' ') {
    throw inputError(env, "plan.delimiter", byte, std::to_string(static_cast<int>(delimiter)));
  }
  return static_cast<uint8_t>(delimiter);
}

// A parse's report on `result`: consumed, lines, badRows, and the first skipped row's and the refused
// row's faults when there are any.
void setReport(Napi::Env env, Napi::Object result, const uint8_t* bytes, const csv::Result& r) {
  result.Set("consumed", Napi::Number::New(env, static_cast<double>(r.consumed)));
  result.Set("lines", Napi::Number::New(env, r.lines));
  result.Set("badRows", Napi::Number::New(env, static_cast<double>(r.badRows)));
  if (r.badRows > 0) result.Set("firstBad", faultObject(env, bytes, r.firstBad));
  if (r.fault.any()) result.Set("fault", faultObject(env, bytes, r.fault));
}

// A csvParseBlock call's arguments, checked: the plan (its kinds, required and out pointing into the
// caller's typed arrays), the bytes, and out's arrays.
struct BlockCall {
  csv::Plan plan;
  std::vector<csv::ColumnOut> columns;
  U8View bytes;
  std::vector<Napi::Value> outs;  // out's arrays: an async call holds them (the Array could change meanwhile)

  csv::Result parse() {
    plan.out = columns.data();
    return csv::parseBlock(bytes.data, bytes.length, plan);
  }
};

// csvParseBlock's arguments (bytes: Uint8Array, params: Float64Array [delimiter, firstLine, final,
// skipBadRows, rowOffset], kinds: Uint8Array, required: Uint8Array, out: (Float64Array | Int32Array |
// null)[]), checked in the order the header says.
BlockCall blockCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  requireArgCount(info, 5);
  BlockCall call;
  csv::Plan& plan = call.plan;
  // the scalars, copied out of params
  {
    const F64View params = float64Arg(info, 1, "params");
    if (params.length != 5) {
      throw inputError(env, "params", "5 values [delimiter, firstLine, final, skipBadRows, rowOffset]",
                       "length " + std::to_string(params.length));
    }
    plan.delimiter = packedDelimiter(env, params.data);
    plan.firstLine = packedInteger(env, params.data, 1, "plan.firstLine", 1, 9007199254740991.0, "an integer >= 1");
    plan.final = packedInteger(env, params.data, 2, "plan.final", 0, 1, "0 or 1") == 1;
    plan.skipBadRows = packedInteger(env, params.data, 3, "plan.skipBadRows", 0, 1, "0 or 1") == 1;
    plan.rowOffset = static_cast<size_t>(packedInteger(env, params.data, 4, "plan.rowOffset", 0, 9007199254740991.0, "an integer >= 0"));
  }
  // out's elements: read before any pointer is taken (an element read is the one step that could run JS)
  if (!info[4].IsArray()) throw inputError(env, "out", "an Array of Float64Array, Int32Array or null", describeValue(info[4]));
  Napi::Array outArray = info[4].As<Napi::Array>();
  const uint32_t width = outArray.Length();
  std::vector<Napi::Value> outValues(width);
  for (uint32_t col = 0; col < width; col++) outValues[col] = outArray.Get(col);
  // the typed arrays: kinds, lengths, codes; then the pointers
  const U8View kinds = uint8Arg(info, 2, "plan.kinds");
  const U8View required = uint8Arg(info, 3, "plan.required");
  if (kinds.length == 0) throw inputError(env, "plan.kinds", "a Kind per header column (at least one)", "length 0");
  requireSameLength(env, kinds.length, "plan.kinds", required.length, "plan.required");
  requireSameLength(env, kinds.length, "plan.kinds", width, "out");
  for (size_t col = 0; col < kinds.length; col++) {
    if (kinds.data[col] >= csv::kKindCount) {
      throw inputError(env, "plan.kinds[" + std::to_string(col) + "]", "a Kind code 0 to 6", std::to_string(kinds.data[col]));
    }
    if (required.data[col] > 1) {
      throw inputError(env, "plan.required[" + std::to_string(col) + "]", "0 or 1", std::to_string(required.data[col]));
    }
  }
  call.columns.resize(width);
  size_t capacity = std::numeric_limits<size_t>::max(), first = width;
  for (uint32_t col = 0; col < width; col++) {
    const OutColumn c = outColumn(env, outValues[col], col, kinds.data[col]);
    call.columns[col] = c.out;
    if (!c.present) continue;
    call.outs.push_back(outValues[col]);
    if (first == width) {
      first = col;
      capacity = c.length;
    } else if (c.length != capacity) {
      throw inputError(env, "out[" + std::to_string(col) + "]",
                       "length " + std::to_string(capacity) + " (as out[" + std::to_string(first) + "])",
                       "length " + std::to_string(c.length));
    }
  }
  call.bytes = uint8Arg(info, 0, "bytes");
  plan.kinds = kinds.data;
  plan.required = required.data;
  plan.width = width;
  plan.capacity = capacity;
  return call;
}

// The BlockResult (src/io/types.ts) of a parse by `plan`: rows, the report, needRows, each text column's dictionary.
Napi::Object blockResult(Napi::Env env, const csv::Plan& plan, const uint8_t* bytes, const csv::Result& r) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("rows", Napi::Number::New(env, static_cast<double>(r.rows)));
  setReport(env, result, bytes, r);
  if (r.needRowsSet) result.Set("needRows", Napi::Number::New(env, static_cast<double>(r.needRows)));
  Napi::Array dictionaries = Napi::Array::New(env, plan.width);
  for (uint32_t col = 0; col < plan.width; col++) {
    if (plan.kinds[col] != static_cast<uint8_t>(Kind::Text)) {
      dictionaries.Set(col, env.Undefined());
      continue;
    }
    const std::vector<std::string>& values = r.dictionaries[col];
    Napi::Array list = Napi::Array::New(env, values.size());
    for (size_t i = 0; i < values.size(); i++) list.Set(static_cast<uint32_t>(i), Napi::String::New(env, values[i]));
    dictionaries.Set(col, list);
  }
  result.Set("dictionaries", dictionaries);
  return result;
}

// csvParseBlock(bytes, params, kinds, required, out) -> BlockResult, on the calling thread.
Napi::Value CsvParseBlock(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    BlockCall call = blockCall(info);
    const csv::Result r = call.parse();
    return blockResult(info.Env(), call.plan, call.bytes.data, r);
  });
}

// csvParseBlockAsync(bytes, params, kinds, required, out) -> Promise<BlockResult>: csvParseBlock on the
// libuv thread pool (async.h's KernelWorker, which holds the arguments and out's arrays until the
// promise settles; the caller, src/io/csv.ts, touches none of them meanwhile); a bad argument throws
// here, as csvParseBlock's would.
Napi::Value CsvParseBlockAsync(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    static const EntrySignature sig{"csvParseBlock", {"bytes", "params", "kinds", "required", "out"}};  // its faults are data, not raised
    auto call = std::make_shared<BlockCall>(blockCall(info));
    auto result = std::make_shared<csv::Result>();
    auto* worker = new KernelWorker(
        info, call->outs, sig,
        [call, result]() {
          *result = call->parse();
          return Outcome{};
        },
        [call, result](Napi::Env env) -> Napi::Value { return blockResult(env, call->plan, call->bytes.data, *result); });
    worker->Queue();
    return worker->promise();
  });
}

// csvReadWideAsync's plan from params [delimiter, firstLine, skipBadRows, width, dateColumn (-1: none)].
csv::WidePlan widePlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  requireArgCount(info, 2);
  csv::WidePlan plan;
  const F64View params = float64Arg(info, 1, "params");
  if (params.length != 5) {
    throw inputError(env, "params", "5 values [delimiter, firstLine, skipBadRows, width, dateColumn]",
                     "length " + std::to_string(params.length));
  }
  plan.delimiter = packedDelimiter(env, params.data);
  plan.firstLine = packedInteger(env, params.data, 1, "plan.firstLine", 1, 9007199254740991.0, "an integer >= 1");
  plan.skipBadRows = packedInteger(env, params.data, 2, "plan.skipBadRows", 0, 1, "0 or 1") == 1;
  plan.width = static_cast<size_t>(packedInteger(env, params.data, 3, "plan.width", 1, 1 << 24, "an integer 1 to 2^24"));
  const double date = packedInteger(env, params.data, 4, "plan.dateColumn", -1, static_cast<double>(plan.width) - 1,
                                    "-1 (none) or a column below plan.width");
  plan.dateColumn = date < 0 ? csv::WidePlan::kNoColumn : static_cast<size_t>(date);
  return plan;
}

// The assets of a plan: its columns less the date column.
size_t wideAssets(const csv::WidePlan& plan) { return plan.width - (plan.dateColumn == csv::WidePlan::kNoColumn ? 0 : 1); }

// Whether a T x N matrix of doubles is beyond any memory (the reader's count sizes it).
bool tooLarge(size_t rows, size_t assets) { return assets > 0 && rows > (size_t{1} << 50) / assets; }

// csvReadWideAsync's result over the matrix the rows were parsed into.
Napi::Object wideResult(Napi::Env env, const csv::WideResult& w, Napi::Float64Array matrix, size_t assets, const uint8_t* bytes) {
  Napi::Object result = Napi::Object::New(env);
  // skipped rows leave room at the end: the view covers the rows written
  const size_t cells = w.rows * assets;
  result.Set("returns", cells == matrix.ElementLength() ? matrix : Napi::Float64Array::New(env, cells, matrix.ArrayBuffer(), 0));
  result.Set("rows", Napi::Number::New(env, static_cast<double>(w.rows)));
  setReport(env, result, bytes, w.block);
  if (w.datesParsed) {
    double* data = nullptr;
    Napi::Float64Array dates = newFloat64Array(env, w.rows, data);
    std::copy(w.dates.begin(), w.dates.end(), data);
    result.Set("dates", dates);
  }
  return result;
}

// csvReadWideAsync(bytes: Uint8Array, params: Float64Array [delimiter, firstLine, skipBadRows, width,
// dateColumn (-1: none)]) -> Promise<{ returns: Float64Array (rows x assets, row-major), rows, dates?:
// Float64Array (when the date column's values are all dates), consumed, lines, badRows, firstBad?,
// fault? }>: a wide returns file's records (the bytes after its header; native/io/csv_returns.hpp),
// parsed on the thread pool, so that a large file does not hold the event loop (and a command loads its
// kernels meanwhile). The arguments are checked before the promise (a KernelInputError is thrown); the
// bytes are held by a reference until it settles (the caller must not write to them). The matrix is
// V8's: once the reader has counted the rows, it asks the JS thread for it (a thread-safe call) and
// waits; its backing store does not move, and no JS can reach it before the promise settles.
class WideWorker;

// The reader's request for the matrix, answered on the JS thread.
struct MatrixRequest {
  size_t cells = 0;
  double* data = nullptr;
  bool failed = false;
  std::promise<void> answered;
};

void allocateMatrix(Napi::Env env, Napi::Function, WideWorker* worker, MatrixRequest* request);
using MatrixAllocator = Napi::TypedThreadSafeFunction<WideWorker, MatrixRequest, allocateMatrix>;

class WideWorker : public Napi::AsyncWorker {
 public:
  WideWorker(const Napi::CallbackInfo& info, const csv::WidePlan& plan, const U8View& bytes)
      : Napi::AsyncWorker(info.Env()),
        plan_(plan),
        bytes_(bytes.data),
        size_(bytes.length),
        assets_(wideAssets(plan)),
        deferred_(Napi::Promise::Deferred::New(info.Env())),
        allocator_(MatrixAllocator::New(info.Env(), "kernelbus csvReadWideAsync", 0, 1, this)) {
    held_ = Napi::Persistent(info[0].As<Napi::Object>());
    allocator_.Unref(info.Env());  // the work keeps the loop alive, not the call it may make
  }
  Napi::Promise promise() const { return deferred_.Promise(); }
  void keep(Napi::Float64Array matrix) { matrix_ = Napi::Persistent(matrix); }

  void Execute() override {
    // the call released however the read ends (an exception other than bad_alloc rejects, OnError)
    struct Released {
      MatrixAllocator& allocator;
      ~Released() { allocator.Release(); }
    } released{allocator_};
    try {
      result_ = csv::readWide(bytes_, size_, plan_, [&](size_t rows) -> double* {
        if (tooLarge(rows, assets_)) throw std::bad_alloc();
        MatrixRequest request;
        request.cells = rows * assets_;
        std::future<void> answered = request.answered.get_future();
        if (allocator_.BlockingCall(&request) != napi_ok) throw std::bad_alloc();
        answered.wait();
        if (request.failed) throw std::bad_alloc();
        return request.data;
      });
    } catch (const std::bad_alloc&) {
      outOfMemory_ = true;
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (outOfMemory_ || matrix_.IsEmpty()) {
      deferred_.Reject(Napi::RangeError::New(env, "kernelbus: out of memory").Value());
      return;
    }
    deferred_.Resolve(wideResult(env, result_, matrix_.Value(), assets_, bytes_));
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  csv::WidePlan plan_;
  const uint8_t* bytes_;
  size_t size_;
  size_t assets_;
  bool outOfMemory_ = false;
  csv::WideResult result_;
  Napi::Promise::Deferred deferred_;
  MatrixAllocator allocator_;
  Napi::ObjectReference held_;
  Napi::Reference<Napi::Float64Array> matrix_;
};

// On the JS thread (env null when the call is being torn down: the request fails).
void allocateMatrix(Napi::Env env, Napi::Function, WideWorker* worker, MatrixRequest* request) {
  if (env != nullptr) {
    try {
      double* data = nullptr;
      worker->keep(newFloat64Array(env, request->cells, data));
      request->data = data;
    } catch (...) {  // nothing may leave a thread-safe call: the request fails
      request->failed = true;
    }
  } else {
    request->failed = true;
  }
  request->answered.set_value();
}

Napi::Value CsvReadWideAsync(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const csv::WidePlan plan = widePlan(info);
    auto* worker = new WideWorker(info, plan, uint8Arg(info, 0, "bytes"));
    const Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  });
}

}  // namespace

// firstNaN(values: Float64Array) -> the index of its first NaN, -1 when none (kernelbus::firstNaN).
Napi::Value FirstNaN(const Napi::CallbackInfo& info) {
  requireArgCount(info, 1);
  const F64View v = float64Arg(info, 0, "values");
  return Napi::Number::New(info.Env(), static_cast<double>(kernelbus::firstNaN(v.data, v.length)));
}

// columnSum(values: Float64Array) -> their sum (kernelbus::columnSum).
Napi::Value ColumnSum(const Napi::CallbackInfo& info) {
  requireArgCount(info, 1);
  const F64View v = float64Arg(info, 0, "values");
  return Napi::Number::New(info.Env(), kernelbus::columnSum(v.data, v.length));
}

// goodTradeRun(ts, price, volume, last: Float64Array, codes?: Int32Array) -> the first row that breaks
// the trade rule, or ts.length; last (last[0], or last[code] per symbol) moved on (kernelbus::goodTradeRun).
Napi::Value GoodTradeRun(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const Napi::Env env = info.Env();
    requireArgCount(info, info.Length() >= 5 ? 5 : 4);  // codes may be given as undefined
    const bool byCode = info.Length() == 5 && !info[4].IsUndefined();
    const F64View ts = float64Arg(info, 0, "ts");
    const F64View price = float64Arg(info, 1, "price");
    const F64View volume = float64Arg(info, 2, "volume");
    const F64OutView last = float64OutArg(info, 3, "last");
    requireSameLength(env, ts.length, "ts", price.length, "price");
    requireSameLength(env, ts.length, "ts", volume.length, "volume");
    if (last.length == 0) throw inputError(env, "last", "a Float64Array of at least 1 value", "an empty one");
    if (!byCode) return Napi::Number::New(env, static_cast<double>(goodTradeRun(ts.data, price.data, volume.data, ts.length, last.data)));
    const I32View codes = int32Arg(info, 4, "codes");
    requireSameLength(env, ts.length, "ts", codes.length, "codes");
    bool badCode = false;
    const size_t at = goodTradeRunByCode(ts.data, price.data, volume.data, codes.data, ts.length, last.data, last.length, badCode);
    if (badCode)
      throw inputError(env, "codes", "codes in [0, " + std::to_string(last.length) + ")",
                       std::to_string(codes.data[at]) + " at row " + std::to_string(at));
    return Napi::Number::New(env, static_cast<double>(at));
  });
}

void registerIo(Napi::Env env, Napi::Object exports) {
  exports.Set("firstNaN", Napi::Function::New<FirstNaN>(env, "firstNaN"));
  exports.Set("columnSum", Napi::Function::New<ColumnSum>(env, "columnSum"));
  exports.Set("goodTradeRun", Napi::Function::New<GoodTradeRun>(env, "goodTradeRun"));
  exports.Set("csvParseBlock", Napi::Function::New<CsvParseBlock>(env, "csvParseBlock"));
  exports.Set("csvParseBlockAsync", Napi::Function::New<CsvParseBlockAsync>(env, "csvParseBlockAsync"));
  exports.Set("csvReadWideAsync", Napi::Function::New<CsvReadWideAsync>(env, "csvReadWideAsync"));
}

}  // namespace kernelbus::binding
