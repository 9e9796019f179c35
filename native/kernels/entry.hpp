// A kernel's entry: what the addon calls for one kernel (generated/<family>.hpp, or written by hand:
// factor_entry.hpp, portfolio_entry.hpp, vpin_entry.hpp). An entry takes its arguments as the JS call
// has them, as views typed by what they are (a Float64Array read, the Float64Array or Int8Array it
// fills, the packed parameters, a count, a number, a list of panels, bytes), unpacks and checks its
// parameters, checks every length against the kernel's layout, then runs the kernel. The binding reads
// the arguments by these C++ types (native/binding/entry.h): adding a kernel is its entry here and one
// registration line there. Plain C++17, no N-API.
//
// Two kinds of refusal: a Status fault (the kernel's data faults, and ParamInvalid from the
// parameters: formatted in TS from the kernel's descriptor), or an ArgFault, a shape the call got
// wrong (a length, a size that does not fit in memory, a count out of range): the binding names the
// argument by its position and throws KernelInputError(name, expected, actual) as it always has.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sizes.hpp"
#include "status.hpp"

namespace kernelbus {

/// A Float64Array the kernel reads (the view's byteOffset applied; length in elements).
struct In {
  const double* data;
  size_t length;
};
/// The Float64Array the kernel fills.
struct Out {
  double* data;
  size_t length;
};
/// The packed parameters: a Float64Array in the order of the kernel's parameter names.
struct Packed {
  const double* data;
  size_t length;
};
/// An array of Float64Arrays (factorReturns' style panels).
struct Panels {
  std::vector<In> list;
};
/// An Int8Array the kernel reads (a label per trade: +1 buy, -1 sell, 0 unknown).
struct Int8In {
  const int8_t* data;
  size_t length;
};
/// The Int8Array the kernel fills (tick signs, trade labels).
struct Int8Out {
  int8_t* data;
  size_t length;
};
/// An Int32Array the kernel reads (indices: crossedAbove's column pairs).
struct Int32In {
  const int32_t* data;
  size_t length;
};
/// The Uint8Array the kernel fills (signals: 0 or 1 a value).
struct Uint8Out {
  uint8_t* data;
  size_t length;
};
/// A Uint8Array the kernel reads: raw bytes at any offset (a trade frame's columns).
struct Bytes {
  const unsigned char* data;
  size_t length;
};
/// A trailing argument the call may leave out (only the last ones may be optional): `given` false when
/// the call stopped before it.
template <typename T>
struct Optional {
  T value{};
  bool given = false;
};

/// Where a counted entry (below) writes: its columns in the order of its kColumns, `rows` values each.
struct Columns {
  double* const* data;
  size_t rows;
};

// A counted entry: a kernel whose output length depends on the data (time bars, VPIN buckets) is a class
//   static constexpr const char* kColumns[]: its output columns' names, in order
//   Outcome count(arguments...): the checks and the first pass; then rows() is the row count
//   size_t rows() const
//   void fill(Columns out): the second pass, writing rows() rows into each column (it cannot fail)
// registered by its count(): add<&Entry::count>(env, exports, "name(arg, ...)"). The binding reads
// count()'s arguments as it reads a plain entry's, allocates the named Float64Array columns (V8-owned) and
// calls fill(), and returns { name: column, ... } (native/binding/entry.h).

/// An argument of the wrong shape: its position in the call (and the panel, for Panels, or the field,
/// for a record: record.hpp), what was expected and what came (the parts of the KernelInputError the
/// binding throws under its name: `name`, `name[panel]` or `name.field`).
struct ArgFault {
  int argument = -1;  // -1: none
  int element = -1;   // a panel of a Panels argument, else -1
  std::string expected, actual;
  const char* field = nullptr;  // a field of a record argument (its name in RecordFields), else nullptr
};

/// What an entry returns: ok, a Status fault (data or parameters), or an ArgFault.
struct Outcome {
  Status status;
  ArgFault arg;
  Outcome() = default;
  Outcome(const Status& s) : status(s) {}     // NOLINT: a kernel's Status is an entry's outcome
  Outcome(ArgFault a) : arg(std::move(a)) {}  // NOLINT
  bool ok() const { return status.ok() && arg.argument < 0; }
};

/// Argument `at` (a view of `length` values) must hold `expected` values (`rule`: "rows x cols", "n"...).
inline Outcome requireLength(int at, size_t length, size_t expected, const char* rule) {
  if (expected == kTooLarge) return ArgFault{at, -1, "a size that fits in memory", std::string(rule) + " too large"};
  if (length == expected) return Outcome{};
  return ArgFault{at, -1, "length " + std::to_string(expected) + " (" + rule + ")", "length " + std::to_string(length)};
}
inline Outcome requireLength(int at, In in, size_t expected, const char* rule = "rows x cols") {
  return requireLength(at, in.length, expected, rule);
}
/// The output (argument `at`) must hold the kernel's layout: `expected` values.
inline Outcome requireLength(int at, Out out, size_t expected) { return requireLength(at, out.length, expected, "as the input"); }
inline Outcome requireLength(int at, Int8Out out, size_t expected) { return requireLength(at, out.length, expected, "as the input"); }
inline Outcome requireLength(int at, Uint8Out out, size_t expected) { return requireLength(at, out.length, expected, "as the input"); }

/// The packed parameters read in order, each checked against its range as it is read: the first value
/// out of range (or a wrong count: index = the count expected, value = the count given) is the
/// ParamInvalid fault, after which every read returns 0. `kNames` is the kernel's parameter table
/// (the descriptor's keys, in order). Each method is one rule of src/kernels/param-rules.ts: the
/// generated unpack() functions (native/kernels/generated/, scripts/gen-native.ts) call them.
class ParamReader {
 public:
  template <size_t N>
  ParamReader(Packed packed, const char* const (&)[N]) : packed_(packed) {
    if (packed.length != N) fail(static_cast<double>(N), static_cast<double>(packed.length));
  }

  /// The next value, any finite number.
  double finite() {
    return next([](double x) { return std::isfinite(x); });
  }
  /// The next value, a finite number > 0.
  double positive() {
    return next([](double x) { return x > 0 && std::isfinite(x); });
  }
  /// The next value, a finite number > lo.
  double above(double lo) {
    return next([=](double x) { return x > lo && std::isfinite(x); });
  }
  /// The next value, a finite number >= lo.
  double atLeast(double lo) {
    return next([=](double x) { return x >= lo && std::isfinite(x); });
  }
  /// The next value, a number > 0 (Infinity allowed).
  double aboveZero() {
    return next([](double x) { return x > 0; });
  }
  /// The next value, in the open interval (0, 1).
  double openUnit() {
    return next([](double x) { return x > 0 && x < 1; });
  }
  /// The next value, in [lo, hi].
  double closed(double lo, double hi) {
    return next([=](double x) { return x >= lo && x <= hi; });
  }
  /// The next value, in [lo, hi).
  double halfOpen(double lo, double hi) {
    return next([=](double x) { return x >= lo && x < hi; });
  }
  /// The next value, in [lo, hi] or exactly `off`.
  double closedOr(double lo, double hi, double off) {
    return next([=](double x) { return (x >= lo && x <= hi) || x == off; });
  }
  /// The next value, an integer in [lo, hi] (hi at most 2^53 - 1: every integer below is exact).
  double integer(double lo, double hi = kMaxInteger) {
    return next([=](double x) { return x >= lo && x <= hi && std::floor(x) == x; });
  }
  /// The next value, 0 or a finite number > lo.
  double zeroOrAbove(double lo) {
    return next([=](double x) { return x == 0 || (x > lo && std::isfinite(x)); });
  }
  /// A rule between values: when `ok` is false, the value read last is the fault.
  void require(bool ok) {
    if (!ok && status_.ok()) fail(static_cast<double>(at_ - 1), packed_.data[at_ - 1]);
  }
  const Status& status() const { return status_; }

  static constexpr double kMaxInteger = 9007199254740991.0;  // 2^53 - 1

 private:
  template <typename Ok>
  double next(Ok ok) {
    if (!status_.ok()) return 0;
    const size_t i = at_++;
    const double x = packed_.data[i];
    if (!ok(x)) {
      fail(static_cast<double>(i), x);
      return 0;
    }
    return x;
  }
  void fail(double index, double value) { status_ = Status{Fault::ParamInvalid, index, value, 0}; }

  Packed packed_;
  size_t at_ = 0;
  Status status_;
};

/// A kernel's parameter names (its descriptor's keys in order); count 0 for a kernel without any.
struct ParamNames {
  const char* const* names;
  size_t count;
};
template <size_t N>
constexpr ParamNames paramNamesOf(const char* const (&names)[N]) {
  return ParamNames{names, N};
}

/// A kernel and its packed parameter names: a row of a family's table (generated/<family>.hpp kParamNames).
struct KernelParamNames {
  const char* kernel;
  ParamNames names;
};
/// `kernel`'s names from `table` into `out`; false when the table has no such kernel.
template <size_t N>
bool findParamNames(const KernelParamNames (&table)[N], std::string_view kernel, ParamNames& out) {
  for (const KernelParamNames& k : table) {
    if (kernel == k.kernel) {
      out = k.names;
      return true;
    }
  }
  return false;
}

}  // namespace kernelbus
