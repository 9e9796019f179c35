// The indicators' entries written by hand (generated/indicators.hpp holds the single calls'):
//   <name>Grid  an indicator over P sets of its packed parameters (src/kernels/indicators/grid.ts):
//               the single call's entry once per set, the sets shared between threads, each output
//               column p x cols + n of the grid set p's column n, bit for bit;
//   crossedAbove  vectorbt's crossover over column pairs (src/kernels/indicators/signals.ts, crossed.cpp).
// Registered by addHandEntries() (native/binding/indicators_binding.cc).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "columns.hpp"
#include "generated/indicators.hpp"
#include "memory.hpp"
#include "parallel.hpp"

namespace kernelbus::indicators {

/// vectorbt 1.1.0's crossed_above_1d_nb over column pairs: output column j (of `pairs`) compares a's
/// column pairsA[j] (a: rows x aCols, row-major) with b's column pairsB[j] (rows x bCols); out
/// (rows x pairs) gets 1 where it fires with `wait`, else 0 (crossed.cpp). The indices are in range
/// (the entry checks them).
Status crossedAbove(const double* a, size_t aCols, const double* b, size_t bCols, size_t rows, const int32_t* pairsA, const int32_t* pairsB,
                    size_t pairs, size_t wait, uint8_t* out);

namespace entry {

namespace detail {

/// `Entry` (a generated single-call entry) with the inputs spread.
template <auto Entry, size_t I, size_t... Is>
Outcome callSpread(const std::array<In, I>& in, std::index_sequence<Is...>, size_t rows, size_t cols, Packed params, Out out) {
  return Entry(in[Is]..., rows, cols, params, out);
}

/// Sets a worker computes before placing them: the sets of one cache line of a row (8 doubles) for a
/// series, one set for a panel of 8 columns or more.
constexpr size_t kLineValues = 8;

}  // namespace detail

/// One indicator (`Entry`, its generated entry; `Params`, its K packed parameters; `Length`, its output
/// layout) over `count` parameter sets: the I inputs (rows x cols each, read in place by every set),
/// `sets` (count x K, row-major), `out` the layout of Length(rows, count x cols): each output rows x
/// (count x cols), column p x cols + n set p's column n. Every set is checked before any is computed
/// (the first fault is the call's). Sets are shared between threads a few at a time, each computed
/// whole by the single entry into a buffer and placed row by row; a panel wide enough to share out
/// by its columns (cols >= 2 blocks a thread) with fewer sets than twice the threads runs its sets
/// one after another, each on every thread.
template <auto Entry, typename Params, size_t K, auto Length, size_t I>
Outcome gridOf(const std::array<In, I>& in, size_t rows, size_t cols, In sets, size_t count, Out out) {
  constexpr int kSets = static_cast<int>(I) + 2, kCount = static_cast<int>(I) + 3, kOut = static_cast<int>(I) + 4;
  for (size_t k = 0; k < I; k++) {
    if (Outcome o = requireLength(static_cast<int>(k), in[k], cells(rows, cols), "rows x cols"); !o.ok()) return o;
  }
  if (count == 0) return ArgFault{kCount, -1, "an integer >= 1 (the parameter sets)", "0"};
  if (Outcome o = requireLength(kSets, sets, cells(count, K), "count x parameters"); !o.ok()) return o;
  for (size_t p = 0; p < count; p++) {
    Params values;
    if (Status s = unpack(Packed{sets.data + p * K, K}, values); !s.ok()) return s;
  }
  const size_t width = cells(count, cols);
  if (Outcome o = requireLength(kOut, out, Length(rows, width)); !o.ok()) return o;
  auto set = [&](size_t p, double* into, size_t length) {
    return detail::callSpread<Entry>(in, std::make_index_sequence<I>{}, rows, cols, Packed{sets.data + p * K, K}, Out{into, length});
  };
  if (count == 1) return set(0, out.data, out.length);
  if (rows == 0 || cols == 0) return Outcome{};
  const size_t one = Length(rows, cols);  // a set's outputs, in its own layout
  const size_t parts = one / (rows * cols);
  adviseHugePages(out.data, out.length * sizeof(double));
  // sets [first, last) from `buffer` (their outputs one after another) into their columns, row by row
  auto place = [&](const double* buffer, size_t first, size_t last, size_t fromRow, size_t toRow) {
    if (cols == 1) {  // a series: a row's values of the sets side by side
      const size_t m = last - first;
      for (size_t k = 0; k < parts; k++) {
        for (size_t t = fromRow; t < toRow; t++) {
          double* row = out.data + k * rows * width + t * width + first;
          const double* from = buffer + k * rows + t;
          for (size_t q = 0; q < m; q++) row[q] = from[q * one];
        }
      }
      return;
    }
    for (size_t k = 0; k < parts; k++) {
      for (size_t t = fromRow; t < toRow; t++) {
        double* row = out.data + k * rows * width + t * width;
        for (size_t p = first; p < last; p++) {
          const double* from = buffer + (p - first) * one + k * rows * cols + t * cols;
          double* to = row + p * cols;
          for (size_t n = 0; n < cols; n++) to[n] = from[n];
        }
      }
    }
  };
  std::mutex mutex;
  size_t failedAt = count;
  Outcome failed;
  auto fail = [&](size_t p, Outcome o) {
    std::lock_guard<std::mutex> lock(mutex);
    if (p < failedAt) failedAt = p, failed = std::move(o);
  };
  if (count < 2 * threadCount() && cols >= 2 * kColumnBlock * threadCount()) {
    const std::unique_ptr<double[]> buffer = scratch(one);
    for (size_t p = 0; p < count; p++) {
      if (Outcome o = set(p, buffer.get(), one); !o.ok()) return o;
      parallelFor(rows, 64, [&](size_t from, size_t to) { place(buffer.get(), p, p + 1, from, to); });
    }
    return Outcome{};
  }
  const size_t chunk = std::max<size_t>(1, detail::kLineValues / cols);
  parallelForChunks(count, chunk, [&](size_t first, size_t last) {
    const std::unique_ptr<double[]> buffer = scratch((last - first) * one);
    for (size_t p = first; p < last; p++) {
      if (Outcome o = set(p, buffer.get() + (p - first) * one, one); !o.ok()) return fail(p, std::move(o));
    }
    place(buffer.get(), first, last, 0, rows);
  });
  return failedAt < count ? failed : Outcome{};
}

/// gridOf of an indicator of 1, 2, 3 or 4 inputs: the entry's arguments as the binding reads them.
template <auto Entry, typename Params, size_t K, auto Length>
Outcome grid1(In x, size_t rows, size_t cols, In sets, size_t count, Out out) {
  return gridOf<Entry, Params, K, Length, 1>({x}, rows, cols, sets, count, out);
}
template <auto Entry, typename Params, size_t K, auto Length>
Outcome grid2(In x, In y, size_t rows, size_t cols, In sets, size_t count, Out out) {
  return gridOf<Entry, Params, K, Length, 2>({x, y}, rows, cols, sets, count, out);
}
template <auto Entry, typename Params, size_t K, auto Length>
Outcome grid3(In x, In y, In z, size_t rows, size_t cols, In sets, size_t count, Out out) {
  return gridOf<Entry, Params, K, Length, 3>({x, y, z}, rows, cols, sets, count, out);
}
template <auto Entry, typename Params, size_t K, auto Length>
Outcome grid4(In x, In y, In z, In v, size_t rows, size_t cols, In sets, size_t count, Out out) {
  return gridOf<Entry, Params, K, Length, 4>({x, y, z, v}, rows, cols, sets, count, out);
}

/// Argument `at` (an Int32Array of column indices) must hold indices in [0, cols).
inline Outcome requireColumns(int at, Int32In pairs, size_t cols, const char* side) {
  for (size_t j = 0; j < pairs.length; j++) {
    const int32_t c = pairs.data[j];
    if (c < 0 || static_cast<size_t>(c) >= cols) {
      return ArgFault{at, -1, std::string("column indices of ") + side + " in [0, " + std::to_string(cols) + ")",
                      "[" + std::to_string(j) + "] = " + std::to_string(c)};
    }
  }
  return Outcome{};
}

/// crossedAbove(a, aCols, b, bCols, rows, pairsA, pairsB, params, out): the lengths (a: rows x aCols,
/// b: rows x bCols, pairsB as pairsA, out rows x pairs), the indices and `wait` checked, then the kernel.
inline Outcome crossedAbove(In a, size_t aCols, In b, size_t bCols, size_t rows, Int32In pairsA, Int32In pairsB, Packed params,
                            Uint8Out out) {
  CrossedAboveParams values;
  if (Outcome o = unpack(params, values); !o.ok()) return o;
  if (Outcome o = requireLength(0, a, cells(rows, aCols), "rows x aCols"); !o.ok()) return o;
  if (Outcome o = requireLength(2, b, cells(rows, bCols), "rows x bCols"); !o.ok()) return o;
  if (pairsB.length != pairsA.length) {
    return ArgFault{6, -1, "length " + std::to_string(pairsA.length) + " (as pairsA)", "length " + std::to_string(pairsB.length)};
  }
  if (Outcome o = requireColumns(5, pairsA, aCols, "a"); !o.ok()) return o;
  if (Outcome o = requireColumns(6, pairsB, bCols, "b"); !o.ok()) return o;
  if (Outcome o = requireLength(8, out, cells(rows, pairsA.length)); !o.ok()) return o;
  return indicators::crossedAbove(a.data, aCols, b.data, bCols, rows, pairsA.data, pairsB.data, pairsA.length, values.wait, out.data);
}

/// Every entry above, given to `to` (the binding's Registrar): the grid of each indicator with a period
/// option (the options that take arrays: src/kernels/indicators/grid.ts) as <name>Grid, under its
/// indicator's name (its parameter faults are formatted from the indicator's descriptor), and crossedAbove.
template <typename To>
void addHandEntries(To& to) {
  // clang-format off
  to.template addAs<grid1<&sma<>, SmaParams, std::size(kSmaParams), &smaLength>>("smaGrid", "sma(close, rows, cols, sets, count, out)");
  to.template addAs<grid1<&ema<>, EmaParams, std::size(kEmaParams), &emaLength>>("emaGrid", "ema(close, rows, cols, sets, count, out)");
  to.template addAs<grid1<&wma<>, WmaParams, std::size(kWmaParams), &wmaLength>>("wmaGrid", "wma(close, rows, cols, sets, count, out)");
  to.template addAs<grid1<&dema<>, DemaParams, std::size(kDemaParams), &demaLength>>("demaGrid", "dema(close, rows, cols, sets, count, out)");
  to.template addAs<grid1<&tema<>, TemaParams, std::size(kTemaParams), &temaLength>>("temaGrid", "tema(close, rows, cols, sets, count, out)");
  to.template addAs<grid1<&trima<>, TrimaParams, std::size(kTrimaParams), &trimaLength>>("trimaGrid", "trima(close, rows, cols, sets, count, out)");
  to.template addAs<grid1<&kama<>, KamaParams, std::size(kKamaParams), &kamaLength>>("kamaGrid", "kama(close, rows, cols, sets, count, out)");
  to.template addAs<grid1<&rsi<>, RsiParams, std::size(kRsiParams), &rsiLength>>("rsiGrid", "rsi(close, rows, cols, sets, count, out)");
  to.template addAs<grid1<&macd<>, MacdParams, std::size(kMacdParams), &macdLength>>("macdGrid", "macd(close, rows, cols, sets, count, out)");
  to.template addAs<grid1<&bbands<>, BbandsParams, std::size(kBbandsParams), &bbandsLength>>("bbandsGrid", "bbands(close, rows, cols, sets, count, out)");
  to.template addAs<grid3<&atr<>, AtrParams, std::size(kAtrParams), &atrLength>>("atrGrid", "atr(high, low, close, rows, cols, sets, count, out)");
  to.template addAs<grid3<&natr<>, NatrParams, std::size(kNatrParams), &natrLength>>("natrGrid", "natr(high, low, close, rows, cols, sets, count, out)");
  to.template addAs<grid3<&stoch<>, StochParams, std::size(kStochParams), &stochLength>>("stochGrid", "stoch(high, low, close, rows, cols, sets, count, out)");
  to.template addAs<grid3<&stochf<>, StochfParams, std::size(kStochfParams), &stochfLength>>("stochfGrid", "stochf(high, low, close, rows, cols, sets, count, out)");
  to.template addAs<grid1<&stochRsi<>, StochRsiParams, std::size(kStochRsiParams), &stochRsiLength>>("stochRsiGrid", "stochRsi(close, rows, cols, sets, count, out)");
  to.template addAs<grid3<&adx<>, AdxParams, std::size(kAdxParams), &adxLength>>("adxGrid", "adx(high, low, close, rows, cols, sets, count, out)");
  to.template addAs<grid3<&adxr<>, AdxrParams, std::size(kAdxrParams), &adxrLength>>("adxrGrid", "adxr(high, low, close, rows, cols, sets, count, out)");
  to.template addAs<grid3<&plusDi<>, PlusDiParams, std::size(kPlusDiParams), &plusDiLength>>("plusDiGrid", "plusDi(high, low, close, rows, cols, sets, count, out)");
  to.template addAs<grid3<&minusDi<>, MinusDiParams, std::size(kMinusDiParams), &minusDiLength>>("minusDiGrid", "minusDi(high, low, close, rows, cols, sets, count, out)");
  to.template addAs<grid3<&cci<>, CciParams, std::size(kCciParams), &cciLength>>("cciGrid", "cci(high, low, close, rows, cols, sets, count, out)");
  to.template addAs<grid4<&mfi<>, MfiParams, std::size(kMfiParams), &mfiLength>>("mfiGrid", "mfi(high, low, close, volume, rows, cols, sets, count, out)");
  to.template addAs<grid4<&adosc<>, AdoscParams, std::size(kAdoscParams), &adoscLength>>("adoscGrid", "adosc(high, low, close, volume, rows, cols, sets, count, out)");
  to.template addAs<grid1<&roc<>, RocParams, std::size(kRocParams), &rocLength>>("rocGrid", "roc(close, rows, cols, sets, count, out)");
  to.template addAs<grid1<&mom<>, MomParams, std::size(kMomParams), &momLength>>("momGrid", "mom(close, rows, cols, sets, count, out)");
  to.template addAs<grid3<&willr<>, WillrParams, std::size(kWillrParams), &willrLength>>("willrGrid", "willr(high, low, close, rows, cols, sets, count, out)");
  to.template addAs<grid2<&aroon<>, AroonParams, std::size(kAroonParams), &aroonLength>>("aroonGrid", "aroon(high, low, rows, cols, sets, count, out)");
  to.template addAs<grid2<&aroonOsc<>, AroonOscParams, std::size(kAroonOscParams), &aroonOscLength>>("aroonOscGrid", "aroonOsc(high, low, rows, cols, sets, count, out)");
  to.template addAs<grid3<&ultosc<>, UltoscParams, std::size(kUltoscParams), &ultoscLength>>("ultoscGrid", "ultosc(high, low, close, rows, cols, sets, count, out)");
  to.template add<&crossedAbove>("crossedAbove(a, aCols, b, bCols, rows, pairsA, pairsB, params, out)");
  // clang-format on
}

}  // namespace entry
}  // namespace kernelbus::indicators
