// The arguments of one kernel entry's call as a fuzz case draws them (fuzz_entries.cpp and the generated
// cases, native/fuzz/generated/<family>_fuzz.hpp): arbitrary counts (small, or huge enough to overflow
// a size), arrays of arbitrary lengths (each allocated at exactly its length, so that a read or write
// past it is an ASan report) holding arbitrary values, packed parameters valid or with one value
// replaced by anything, or of the wrong count; and the check of the entry's outcome against them.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "entry.hpp"
#include "input.hpp"
#include "invariants.hpp"

namespace kernelbus::fuzz {

/// The arguments of one call, and whether each array got its exact length.
class Args {
 public:
  explicit Args(Input& in) : in_(in) {}

  /// A count: small, or now and then one whose products overflow.
  size_t count() {
    if (in_.in<int>(0, 15) == 15) {
      static constexpr size_t kHuge[] = {size_t{1} << 31, size_t{1} << 40, (size_t{1} << 53) - 1};
      huge_ = true;
      return kHuge[in_.in<size_t>(0, 2)];
    }
    return in_.in<size_t>(0, 6);
  }
  /// Whether the call can run in a fuzzer's time: not with a huge count and every array exact (a
  /// huge count beside a 0 is a valid call that loops 2^31 times or more over nothing).
  bool affordable() const { return !(huge_ && exact_); }
  /// An input array: mostly of `expected` values (when that can fit), else of any length up to 40.
  In input(size_t expected) {
    const size_t n = length(expected);
    store_.push_back(in_.column(n));
    return In{store_.back().data(), n};
  }
  /// An optional input array: empty (absent, which the entry accepts), or as input(expected).
  In optional(size_t expected) {
    const bool before = exact_;
    const In array = input(expected);
    if (array.length == 0) exact_ = before;
    return array;
  }
  /// An input array of n values, of any length the entry accepts (not a shape it checks).
  In any(size_t n) {
    store_.push_back(in_.column(n));
    return In{store_.back().data(), n};
  }
  /// Daily counts: as input(expected), its values mostly integers >= 0 (now and then left as drawn:
  /// negative, fractional, NaN, infinite).
  In counts(size_t expected) { return integral(input(expected)); }
  /// Counts of any length (buys: the days are its length).
  In anyCounts(size_t n) { return integral(any(n)); }
  /// The last array stored, mostly made integers >= 0 in place.
  In integral(In raw) {
    if (in_.in<int>(0, 3) != 0) {
      std::vector<double>& v = store_.back();
      for (double& x : v) x = std::isfinite(x) ? std::floor(std::fmod(std::fabs(x), 1e6)) : 0;
    }
    return raw;
  }
  /// PIN's initial sets: k valid sets (alpha, delta in [0, 1], rates in [0, 1e4]), or any values of any length.
  In pinSets() {
    if (in_.flag()) return any(in_.in<size_t>(0, 12));  // a length or values the entry refuses, or a valid list
    const size_t k = in_.in<size_t>(1, 4);
    std::vector<double> v(5 * k);
    for (size_t i = 0; i < v.size(); i++) v[i] = i % 5 < 2 ? in_.real(0, 1) : in_.real(0, 1e4);
    store_.push_back(v);
    return In{store_.back().data(), v.size()};
  }
  /// `values` (a column of the harness's) as an input array whose length the others follow (as any()).
  In keep(std::vector<double> values) {
    store_.push_back(std::move(values));
    return In{store_.back().data(), store_.back().size()};
  }
  /// `values` as an input array of `expected` values, mostly as they are, else cut or padded to any
  /// length up to 40.
  In take(std::vector<double> values, size_t expected) {
    values.resize(length(expected), 1);
    store_.push_back(std::move(values));
    return In{store_.back().data(), store_.back().size()};
  }
  /// Marks the call as one the entry must refuse (a shape the harness got wrong on purpose).
  void refused() { exact_ = false; }
  /// An Int8Array the entry fills (signs, labels), likewise.
  Int8Out signs(size_t expected) {
    signs_.emplace_back(length(expected), int8_t{7});
    return Int8Out{signs_.back().data(), signs_.back().size()};
  }
  /// The trades' labels (+1, -1, 0, or any byte: its sign is read): given (as long as the trades,
  /// mostly) where `wanted`, and now and then where not (then refused).
  Optional<Int8In> labels(bool wanted, size_t expected) {
    if (in_.in<int>(0, 7) == 0) wanted = !wanted, exact_ = false;
    if (!wanted) return Optional<Int8In>{};
    signs_.emplace_back(length(expected));
    for (int8_t& l : signs_.back()) l = static_cast<int8_t>(in_.byte());
    return Optional<Int8In>{Int8In{signs_.back().data(), signs_.back().size()}, true};
  }
  /// The output array, likewise.
  Out output(size_t expected) {
    const size_t n = length(expected);
    store_.emplace_back(n, 0.0);
    return Out{store_.back().data(), n};
  }
  /// Panels of `expected` values each (count 0..3).
  Panels panels(size_t expected) {
    Panels p;
    const size_t s = in_.in<size_t>(0, 3);
    for (size_t k = 0; k < s; k++) p.list.push_back(input(expected));
    return p;
  }
  /// `valid` as is, or with one value replaced by anything, or resized.
  Packed params(std::vector<double> valid) {
    const size_t expected = valid.size();
    if (in_.flag()) {
      const size_t at = in_.in<size_t>(0, expected);
      if (at == expected) {
        valid.resize(in_.in<size_t>(0, expected + 2));
      } else {
        valid[at] = in_.flag() ? in_.anyDouble() : in_.real(-2, 4);
      }
    }
    wrongCount_ = valid.size() != expected ? static_cast<double>(expected) : -1;
    store_.push_back(valid);
    return Packed{store_.back().data(), valid.size()};
  }

  /// Checks an entry's outcome against the arguments it was given.
  void check(const Outcome& o) const {
    if (o.ok()) require(exact_ && wrongCount_ < 0);
    if (wrongCount_ >= 0 && o.status.fault == Fault::ParamInvalid && o.arg.argument < 0) {
      require(o.status.index == wrongCount_);
    }
    if (!exact_) require(!o.ok());
  }

 private:
  size_t length(size_t expected) {
    const bool fits = expected <= 4096;
    if (fits && in_.in<int>(0, 7) != 0) return expected;
    const size_t n = in_.in<size_t>(0, 40);
    exact_ = exact_ && n == expected;
    return n;
  }

  Input& in_;
  std::deque<std::vector<double>> store_;
  std::deque<std::vector<int8_t>> signs_;  // Int8Arrays: signs to fill, labels
  bool exact_ = true;
  bool huge_ = false;
  double wrongCount_ = -1;
};

/// A generated case: a kernel's name and its call with arguments drawn from `in`.
struct Case {
  const char* kernel;
  void (*run)(Args&, Input&);
};

}  // namespace kernelbus::fuzz
