// libFuzzer target of the indicators' hand-written entries (native/kernels/indicators/indicators_entry.hpp),
// with the arguments a JS caller can pass once the binding has checked their kinds:
// - each <name>Grid (addHandEntries' list): arbitrary counts, inputs of any length, 0 to 4 parameter
//   sets drawn from the indicator's rules (generated/indicators_fuzz.hpp) with now and then a value
//   replaced by anything, the sets' array and the output of any length;
// - crossedAbove: arbitrary counts, a and b of any length (steps of a few units, so ties are common, and
//   any doubles: NaN, infinities), pairs in range or not and of one length or not, `wait` valid or not,
//   an output of any length.
// Invariants: no crash, no sanitizer report; an entry succeeds exactly when every array has the length
// its counts say, there is a set, every set's parameters are in range (and the pairs index columns);
// a grid that succeeds writes every value of its output, each column p x cols + n equal bit for bit to
// the grid of set p alone (the single entry's call); crossedAbove writes each signal as a plain reading
// of vectorbt's crossed_above_1d_nb (branch by branch, as the reference) gives it.
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "args.hpp"
#include "calls.hpp"
#include "generated/indicators_fuzz.hpp"
#include "indicators/indicators_entry.hpp"

using namespace kernelbus;
using kernelbus::fuzz::Args;
using kernelbus::fuzz::Input;
using kernelbus::fuzz::require;

namespace {

/// A grid entry's input count: its arguments less rows, cols, sets, count and out.
template <typename F>
struct GridInputs;
template <typename... A>
struct GridInputs<Outcome (*)(A...)> : std::integral_constant<size_t, sizeof...(A) - 5> {};

/// A grid entry called with its inputs spread.
template <auto E, size_t I, size_t... Is>
Outcome callGrid(const std::array<In, I>& in, std::index_sequence<Is...>, size_t rows, size_t cols, In sets, size_t count, Out out) {
  return E(in[Is]..., rows, cols, sets, count, out);
}

/// A value of `rule` the indicator accepts (a small period, a band width, an MA type).
double valid(Input& in, const fuzz::ParamRule& r) {
  switch (r.kind) {
    case fuzz::Rule::Integer:
    case fuzz::Rule::Code:
      return in.in<int>(static_cast<int>(r.lo), static_cast<int>(std::min(r.hi, r.lo + 6)));
    case fuzz::Rule::AtLeast:
      return in.real(r.lo, r.lo + 1);
    default:
      return in.real(-3, 3);
  }
}

/// The least values of the rules (a set every indicator accepts).
std::vector<double> least(const fuzz::KernelRules& rules) {
  std::vector<double> v;
  for (const fuzz::ParamRule& r : rules.rules) v.push_back(r.kind == fuzz::Rule::Integer || r.kind == fuzz::Rule::AtLeast ? r.lo : 0);
  return v;
}

/// The outputs of a grid entry (its layout's parts): the length of one value's out it accepts.
template <auto E>
size_t partsOf(const fuzz::KernelRules& rules) {
  constexpr size_t I = GridInputs<decltype(E)>::value;
  double one = 1, buffer[4];
  std::array<In, I> ins;
  ins.fill(In{&one, 1});
  std::vector<double> set = least(rules);
  for (size_t parts = 1; parts <= 4; parts++) {
    if (callGrid<E>(ins, std::make_index_sequence<I>{}, 1, 1, In{set.data(), set.size()}, 1, Out{buffer, parts}).ok()) return parts;
  }
  require(false);
  return 0;
}

/// One grid call: the arguments drawn, the outcome checked, a success held to each set's own call.
template <auto E>
void gridCase(Input& in, const fuzz::KernelRules& rules) {
  constexpr size_t I = GridInputs<decltype(E)>::value;
  static const size_t parts = partsOf<E>(rules);
  Args a(in);
  const size_t rows = a.count(), cols = a.count();
  const size_t cells1 = cells(rows, cols);
  std::array<In, I> ins;
  bool exact = cells1 != kTooLarge;
  for (size_t k = 0; k < I; k++) {
    ins[k] = a.input(cells1);
    exact = exact && ins[k].length == cells1;
  }
  const size_t K = rules.rules.size();
  const size_t count = in.in<size_t>(0, 4);
  std::vector<double> values;
  bool valid_ = true;
  for (size_t p = 0; p < count; p++) {
    for (const fuzz::ParamRule& r : rules.rules) values.push_back(in.in<int>(0, 15) == 0 ? in.anyDouble() : valid(in, r));
    valid_ = valid_ && rules.unpack(Packed{values.data() + p * K, K}).ok();
  }
  const In sets = a.take(values, count * K);
  exact = exact && sets.length == count * K;
  const size_t width = cells(count, cols);
  const size_t length = cells(rows, width) == kTooLarge ? kTooLarge : cells(parts, cells(rows, width));
  const Out out = a.output(length);
  exact = exact && out.length == length;
  for (size_t i = 0; i < out.length; i++) std::memcpy(out.data + i, &fuzz::kUnwrittenBits, sizeof(double));
  if (!a.affordable()) return;
  const Outcome o = callGrid<E>(ins, std::make_index_sequence<I>{}, rows, cols, sets, count, out);
  require(o.ok() == (exact && count >= 1 && valid_));
  if (!o.ok()) return;
  std::vector<double> single(parts * cells1);
  for (size_t p = 0; p < count; p++) {
    const Outcome one =
        callGrid<E>(ins, std::make_index_sequence<I>{}, rows, cols, In{sets.data + p * K, K}, 1, Out{single.data(), single.size()});
    require(one.ok());
    for (size_t k = 0; k < parts; k++) {
      for (size_t t = 0; t < rows; t++) {
        for (size_t n = 0; n < cols; n++) {
          const double g = out.data[k * rows * width + t * width + p * cols + n];
          const double s = single[k * cells1 + t * cols + n];
          require(!fuzz::isUnwritten(g));
          require(std::memcmp(&g, &s, sizeof g) == 0);
        }
      }
    }
  }
}

/// crossed_above_1d_nb as vectorbt writes it, for one pair.
void plainCross(const double* a, size_t aCols, size_t ca, const double* b, size_t bCols, size_t cb, size_t rows, size_t wait,
                std::vector<uint8_t>& out, size_t at, size_t stride) {
  bool wasBelow = false;
  long long crossedAgo = -1;
  for (size_t i = 0; i < rows; i++) {
    const double x = a[i * aCols + ca], y = b[i * bCols + cb];
    bool fired = false;
    if (std::isnan(x) || std::isnan(y)) {
      crossedAgo = -1;
      wasBelow = false;
    } else if (x > y) {
      if (wasBelow) {
        crossedAgo += 1;
        fired = crossedAgo == static_cast<long long>(wait);
      }
    } else if (x == y) {
      crossedAgo = -1;
    } else {
      crossedAgo = -1;
      wasBelow = true;
    }
    out[at + i * stride] = fired ? 1 : 0;
  }
}

/// One crossedAbove call.
void crossCase(Input& in) {
  Args a(in);
  const size_t rows = a.count(), aCols = a.count(), bCols = a.count();
  const In x = a.input(cells(rows, aCols));
  const bool same = aCols == bCols && in.flag();  // crossedAbove(ma, ma, { pairs })
  const In y = same ? x : a.input(cells(rows, bCols));
  bool exact = x.length == cells(rows, aCols) && y.length == cells(rows, bCols) && cells(rows, aCols) != kTooLarge &&
               cells(rows, bCols) != kTooLarge;
  // mostly a few pairs; now and then up to 80, past a vector of signal bytes (crossed.cpp's runs)
  const size_t n = in.in<int>(0, 7) == 0 ? in.in<size_t>(0, 80) : in.in<size_t>(0, 8);
  std::vector<int32_t> pa(n), pb(in.in<int>(0, 7) == 0 ? in.in<size_t>(0, 8) : n);
  auto index = [&](size_t cols) {
    if (cols > 0 && in.in<int>(0, 15) != 0) return static_cast<int32_t>(in.in<size_t>(0, std::min<size_t>(cols - 1, 1000)));
    return in.in<int32_t>(-3, 8);
  };
  // each pair drawn, or (when the pairs are of one length) the run of the pair before it extended: one
  // side's column kept, the other's the next one (combinations' order, crossedBelow's swapped)
  const bool runs = pb.size() == pa.size() && in.flag();
  for (size_t q = 0; q < pa.size(); q++) {
    const int kind = runs && q > 0 ? in.in<int>(0, 2) : 2;
    pa[q] = kind == 0 ? pa[q - 1] : kind == 1 ? pa[q - 1] + 1 : index(aCols);
    if (runs) pb[q] = kind == 0 ? pb[q - 1] + 1 : kind == 1 ? pb[q - 1] : index(bCols);
  }
  if (!runs)
    for (int32_t& c : pb) c = index(bCols);
  bool inRange = pb.size() == pa.size();
  for (const int32_t c : pa) inRange = inRange && c >= 0 && static_cast<size_t>(c) < aCols;
  for (const int32_t c : pb) inRange = inRange && c >= 0 && static_cast<size_t>(c) < bCols;
  const size_t wait = in.in<size_t>(0, 3);
  const Packed params = a.params({static_cast<double>(wait)});
  const bool validWait = params.length == 1 && params.data[0] >= 0 && std::floor(params.data[0]) == params.data[0] &&
                         params.data[0] <= ParamReader::kMaxInteger;
  const size_t length = cells(rows, n);
  // mostly of the length the counts say (when that fits a fuzzer's memory), else of any length up to 40
  std::vector<uint8_t> out(length <= 4096 && in.in<int>(0, 7) != 0 ? length : in.in<size_t>(0, 40), uint8_t{7});
  exact = exact && length != kTooLarge && out.size() == length;
  if (!a.affordable()) return;
  const Outcome o = indicators::entry::crossedAbove(x, aCols, y, bCols, rows, Int32In{pa.data(), pa.size()}, Int32In{pb.data(), pb.size()},
                                                    params, Uint8Out{out.data(), out.size()});
  require(o.ok() == (exact && inRange && validWait));
  if (!o.ok()) return;
  std::vector<uint8_t> want(out.size());
  for (size_t j = 0; j < n; j++) {
    plainCross(x.data, aCols, static_cast<size_t>(pa[j]), y.data, bCols, static_cast<size_t>(pb[j]), rows,
               static_cast<size_t>(params.data[0]), want, j, n);
  }
  require(out == want);
}

/// The cases: each grid of addHandEntries' list (with its indicator's rules), and crossedAbove.
struct Cases {
  struct One {
    void (*run)(Input&, const fuzz::KernelRules&);
    const fuzz::KernelRules* rules;
  };
  std::vector<One> list;
  static const fuzz::KernelRules* rulesOf(const char* signature) {
    const std::string kernel(signature, std::strchr(signature, '('));
    for (const fuzz::KernelRules& k : indicators::fuzzing::kRules)
      if (kernel == k.kernel) return &k;
    require(false);
    return nullptr;
  }
  template <auto E>
  void addAs(const char*, const char* signature) {
    list.push_back({&gridCase<E>, rulesOf(signature)});
  }
  template <auto E>
  void add(const char*) {
    list.push_back({[](Input& in, const fuzz::KernelRules&) { crossCase(in); }, nullptr});
  }
};

const Cases& cases() {
  static const Cases all = [] {
    Cases c;
    indicators::entry::addHandEntries(c);
    return c;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const auto& list = cases().list;
  const Cases::One& one = list[in.in<size_t>(0, list.size() - 1)];
  one.run(in, one.rules ? *one.rules : indicators::fuzzing::kRules[0]);
  return 0;
}
