// The backtest target's input (fuzz_backtest.cpp): fuzzer bytes -> a backtest::Simulation record, as
// the binding reads it, with the arrays its views point into; and its dump (KERNELBUS_FUZZ_DUMP=1).
// Records are within the rules of src/kernels/backtest/backtest-resolve.ts but one in 16, which takes
// arbitrary shapes, codes, groups and values (checkSimulation's own input).
#pragma once

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <utility>
#include <vector>

#include "backtest/backtest.hpp"
#include "input.hpp"

namespace kernelbus::fuzz::backtest_input {

namespace bt = kernelbus::backtest;

/// A decoded Simulation and the arrays its views point into (each allocated at exactly its length).
struct Case {
  bt::Simulation sim;
  std::vector<int32_t> groupLens, valueGroups;
  std::vector<double> initCash;
  std::deque<std::vector<double>> f64;
  std::deque<std::vector<uint8_t>> u8;
  bool raw = false;  // values outside the contract allowed
};

/// Decodes the fuzzer's bytes into `c` (its record and arrays): decode() once.
class Decoder {
 public:
  Decoder(fuzz::Input& in, Case& c) : in_(in), c_(c) {}

  void decode() {
    bt::Simulation& s = c_.sim;
    c_.raw = in_.in(0, 15) == 0;
    s.kind = raw() ? in_.in(-1, 2) : in_.in(0, 1);
    T_ = in_.in<size_t>(1, 64);
    K_ = in_.in<size_t>(1, 20);  // past 8: the fast path reads signal bytes 8 at a time
    s.rows = raw() ? in_.in<size_t>(0, T_ + 1) : T_;
    s.cols = raw() ? in_.in<size_t>(0, K_ + 1) : K_;
    const bool signals = s.kind == bt::kSignals;
    // prices: close T x 1 or T x K; open, high, low of its shape or absent
    const size_t closeCols = in_.flag() ? 1 : K_;
    s.close = priceFlex(raw() ? in_.in<size_t>(0, T_ + 1) : T_, raw() ? in_.in<size_t>(0, K_ + 1) : closeCols);
    closeFlex_ = s.close;
    s.open = optionalBar(0.02);
    s.high = optionalBar(0.05);
    s.low = optionalBar(-0.05);
    // groups: cash groups, and value groups of whole cash groups
    groups();
    s.autoCallSeq = in_.in(0, 3) == 0;
    // signals
    const bool shortSignals = signals && in_.in(0, 3) == 0;
    s.lsMode = raw() ? in_.flag() : shortSignals;
    s.entries = signalFlex(signals && !in_.flag());
    s.exits = signalFlex(signals);
    s.shortEntries = signalFlex(shortSignals);
    s.shortExits = signalFlex(shortSignals);
    // per-element arguments, inside their rules (backtest-resolve.ts) but for raw values
    auto& I = in_;
    s.direction = flex([&] { return double(I.flag() ? (signals ? 0 : 2) : I.in(0, 2)); });
    if (signals) {
      s.size = flex([&] {
        const uint8_t k = I.byte();
        return k < 96    ? INFINITY
               : k < 112 ? NAN
               : k < 176 ? double(I.in(1, 100))
               : k < 208 ? I.real(0, 1.2)
               : k < 224 ? 0.0
                         : I.positiveFinite();
      });
    } else {
      s.size = flex([&] {
        const uint8_t k = I.byte();
        const double sign = I.flag() ? 1 : -1;
        return k < 32    ? NAN
               : k < 64  ? sign * INFINITY
               : k < 144 ? double(I.in(-20, 20))
               : k < 200 ? I.real(-1.5, 1.5)
               : k < 216 ? 0.0
               : k < 240 ? sign * I.positiveFinite()
                         : I.anyDouble();
      });
    }
    const int sizeTypes = signals ? 3 : 6;
    s.sizeType = flex([&] { return double(I.flag() ? 0 : I.in(0, sizeTypes - 1)); });
    s.price = flex([&] {
      const uint8_t k = I.byte();
      return k < 160 ? INFINITY : k < 192 ? -INFINITY : k < 216 ? I.real(1, 200) : k < 232 ? NAN : I.positiveFinite();
    });
    s.fees = flex([&] {
      const uint8_t k = I.byte();
      return k < 128 ? 0.0 : k < 200 ? I.real(0, 0.01) : k < 232 ? I.real(0, 1) : k < 248 ? I.real(1, 3) : I.positiveFinite();
    });
    s.fixedFees = flex([&] {
      const uint8_t k = I.byte();
      return k < 144 ? 0.0 : k < 208 ? I.real(0, 2) : k < 240 ? I.real(0, 1000) : I.positiveFinite();
    });
    s.slippage = flex([&] {
      const uint8_t k = I.byte();
      return k < 144 ? 0.0 : k < 208 ? I.real(0, 0.01) : k < 240 ? I.real(0, 1) : k < 248 ? I.real(1, 3) : I.positiveFinite();
    });
    s.minSize = flex([&] {
      const uint8_t k = I.byte();
      return k < 128 ? 1e-8 : k < 176 ? 0.0 : k < 224 ? I.real(0, 2) : I.positiveFinite();
    });
    s.accumulate = flex([&] { return double(I.flag() ? 0 : I.in(0, 3)); });
    s.uponOppositeEntry = flex([&] { return double(I.flag() ? 4 : I.in(0, 4)); });
    const bool stops = signals && in_.in(0, 2) == 0;
    const auto stop = [&] {
      const uint8_t k = I.byte();
      return !stops || k < 96 ? NAN : k < 192 ? I.real(0, 0.3) : k < 208 ? 0.0 : k < 240 ? I.real(0.3, 2) : I.positiveFinite();
    };
    s.slStop = flex(stop);
    s.slTrail = flex([&] { return stops && I.flag() ? 1.0 : 0.0; });
    s.tpStop = flex(stop);
    // useStops as the API sets it: a stop anywhere
    bool any = false;
    for (const bt::Flex<double>* f : {&s.slStop, &s.tpStop})
      for (size_t k = 0; k < f->length(); k++) any |= !std::isnan(f->data[k]);
    for (size_t k = 0; k < s.slTrail.length(); k++) any |= s.slTrail.data[k] != 0;
    s.useStops = raw() ? in_.flag() : signals && any;
  }

 private:
  /// Off the contract here: only in a raw case, and then one time in 4.
  bool raw() { return c_.raw && in_.in(0, 3) == 0; }

  std::vector<double>& doubles(size_t n) { return c_.f64.emplace_back(n); }

  /// A shape of the per-element kind: 1 x 1, 1 x K, T x 1, T x K (raw: anything up to T + 1 x K + 1).
  void shape(size_t& rows, size_t& cols) {
    if (raw()) {
      rows = in_.in<size_t>(0, T_ + 1);
      cols = in_.in<size_t>(0, K_ + 1);
      return;
    }
    const int k = in_.in(0, 7);  // scalars most often
    rows = k == 2 || k == 3 ? T_ : 1;
    cols = k == 1 || k == 3 ? K_ : 1;
  }

  template <typename Gen>
  bt::Flex<double> flex(Gen gen) {
    bt::Flex<double> f;
    shape(f.rows, f.cols);
    std::vector<double>& v = doubles(f.rows * f.cols);
    const bool anything = raw();
    const bool same = in_.flag();  // one value throughout, or one each
    double x = 0;
    for (size_t k = 0; k < v.size(); k++) {
      if (k == 0 || !same) x = anything ? in_.anyDouble() : gen();
      v[k] = x;
    }
    f.data = v.data();
    return f;
  }

  /// The next price of a walk from `x`, or a bad value now and then (x kept).
  double price(double& x) {
    const uint8_t k = in_.byte();
    if (k < 144) return x *= 1 + in_.in(-40, 40) / 1000.0;
    if (k < 192) return x;
    if (k < 208) return NAN;
    if (k < 218) return in_.flag() ? 0.0 : -0.0;
    if (k < 226) return -x;
    if (k < 232) return in_.flag() ? INFINITY : -INFINITY;
    if (k < 238) return in_.flag() ? DBL_TRUE_MIN : DBL_MIN / 2;
    if (k < 244) return in_.flag() ? 1e300 : DBL_MAX;
    return in_.anyDouble();
  }

  bt::Flex<double> priceFlex(size_t rows, size_t cols) {
    bt::Flex<double> f{nullptr, rows, cols};
    std::vector<double>& v = doubles(rows * cols);
    for (size_t col = 0; col < cols; col++) {
      double x = in_.flag() ? 100 : in_.positiveFinite();
      for (size_t i = 0; i < rows; i++) v[i * cols + col] = price(x);
    }
    f.data = v.data();
    return f;
  }

  /// open, high or low: absent, the close moved by up to `move` (and bad values), or anything.
  bt::Flex<double> optionalBar(double move) {
    const bt::Flex<double>& close = closeFlex_;
    if (in_.in(0, 2) == 0) return {};
    bt::Flex<double> f{nullptr, close.rows, close.cols};
    if (raw()) shape(f.rows, f.cols);
    std::vector<double>& v = doubles(f.rows * f.cols);
    const bool arbitrary = in_.in(0, 7) == 0;
    for (size_t k = 0; k < v.size(); k++) {
      if (arbitrary) {
        v[k] = in_.anyDouble();
        continue;
      }
      const double c = k < close.length() ? close.data[k] : 100;
      const uint8_t b = in_.byte();
      v[k] = b < 200 ? c * (1 + move * in_.real(0, 1)) : b < 216 ? NAN : b < 232 ? c * (1 + in_.real(-0.5, 0.5)) : in_.anyDouble();
    }
    f.data = v.data();
    return f;
  }

  /// Signals of the per-element shapes, none (1 x 1 of 0) when `given` is false.
  bt::Flex<uint8_t> signalFlex(bool given) {
    bt::Flex<uint8_t> f{nullptr, 1, 1};
    if (given || raw()) shape(f.rows, f.cols);
    std::vector<uint8_t>& v = c_.u8.emplace_back(f.rows * f.cols, uint8_t{0});
    if (given) {
      const uint8_t density = in_.byte();
      for (uint8_t& b : v) b = in_.byte() < density ? (in_.in(0, 7) == 0 ? in_.byte() : 1) : 0;
    }
    f.data = v.data();
    return f;
  }

  /// groupLens and initCash (cash groups: each column alone, or groups of columns sharing cash) and the
  /// value groups (the cash groups, or the caller's groups of single columns without sharing).
  void groups() {
    if (c_.raw && in_.in(0, 3) == 0) {  // arbitrary counts and lengths
      for (std::vector<int32_t>* lens : {&c_.groupLens, &c_.valueGroups}) {
        lens->resize(in_.in<size_t>(0, 8));
        for (int32_t& n : *lens) n = in_.flag() ? in_.in<int32_t>(-2, 7) : in_.in<int32_t>(INT32_MIN, INT32_MAX);
      }
    } else {
      std::vector<int32_t> partition{1};
      for (size_t k = 1; k < K_; k++) {
        if (in_.flag())
          partition.push_back(1);
        else
          partition.back()++;
      }
      const bool sharing = in_.flag();
      const bool given = sharing || in_.flag();
      c_.groupLens = sharing ? partition : std::vector<int32_t>(K_, 1);
      c_.valueGroups = given ? partition : c_.groupLens;
    }
    c_.initCash.resize(c_.groupLens.size());
    const bool same = in_.flag();
    for (size_t g = 0; g < c_.initCash.size(); g++) {
      const uint8_t k = in_.byte();
      c_.initCash[g] = g > 0 && same ? c_.initCash[0]
                       : raw()       ? in_.anyDouble()
                       : k < 128     ? 100
                       : k < 160     ? 0
                       : k < 208     ? in_.real(0, 1e4)
                       : k < 232     ? in_.real(0, 1e9)
                                     : in_.positiveFinite();
    }
    c_.sim.groupLens = c_.groupLens.data();
    c_.sim.groups = c_.groupLens.size();
    c_.sim.initCash = c_.initCash.data();
  }

  fuzz::Input& in_;
  Case& c_;
  size_t T_ = 1, K_ = 1;
  bt::Flex<double> closeFlex_;
};

/// KERNELBUS_FUZZ_DUMP=1: the record and the run on stderr (to read a reproducer).
inline bool dumping() {
  static const bool on = std::getenv("KERNELBUS_FUZZ_DUMP") != nullptr;
  return on;
}

template <typename T>
void dumpFlex(const char* name, const bt::Flex<T>& f) {
  std::fprintf(stderr, "%s %zu x %zu:", name, f.rows, f.cols);
  for (size_t k = 0; k < f.length(); k++) std::fprintf(stderr, " %.17g", double(f.data[k]));
  std::fprintf(stderr, "\n");
}

inline void dump(const Case& c) {
  const bt::Simulation& s = c.sim;
  std::fprintf(stderr, "kind %d rows %zu cols %zu autoCallSeq %d lsMode %d useStops %d raw %d\n", s.kind, s.rows, s.cols, s.autoCallSeq,
               s.lsMode, s.useStops, c.raw);
  std::fprintf(stderr, "groupLens/initCash:");
  for (size_t g = 0; g < s.groups; g++) std::fprintf(stderr, " %d/%.17g", c.groupLens[g], c.initCash[g]);
  std::fprintf(stderr, "\nvalueGroups:");
  for (int32_t n : c.valueGroups) std::fprintf(stderr, " %d", n);
  std::fprintf(stderr, "\n");
  const std::pair<const char*, const bt::Flex<double>*> f64[] = {{"close", &s.close},
                                                                 {"open", &s.open},
                                                                 {"high", &s.high},
                                                                 {"low", &s.low},
                                                                 {"direction", &s.direction},
                                                                 {"size", &s.size},
                                                                 {"sizeType", &s.sizeType},
                                                                 {"price", &s.price},
                                                                 {"fees", &s.fees},
                                                                 {"fixedFees", &s.fixedFees},
                                                                 {"slippage", &s.slippage},
                                                                 {"minSize", &s.minSize},
                                                                 {"accumulate", &s.accumulate},
                                                                 {"uponOppositeEntry", &s.uponOppositeEntry},
                                                                 {"slStop", &s.slStop},
                                                                 {"slTrail", &s.slTrail},
                                                                 {"tpStop", &s.tpStop}};
  for (const auto& [name, f] : f64) dumpFlex(name, *f);
  const std::pair<const char*, const bt::Flex<uint8_t>*> u8[] = {
      {"entries", &s.entries}, {"exits", &s.exits}, {"shortEntries", &s.shortEntries}, {"shortExits", &s.shortExits}};
  for (const auto& [name, f] : u8) dumpFlex(name, *f);
}

}  // namespace kernelbus::fuzz::backtest_input
