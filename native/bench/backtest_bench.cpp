// C++-only benchmark of the backtest simulation (no Node): cmake -DKERNELBUS_NATIVE_BENCH=ON, or
//   g++ -O3 -std=c++17 -ffp-contract=off -fno-trapping-math -fno-math-errno -Inative/kernels native/bench/backtest_bench.cpp \
//     native/kernels/backtest/*.cpp native/kernels/parallel.cpp native/kernels/memory.cpp native/kernels/simd.cpp -lpthread
// The bench's first row without Node: from_signals on 2,520 x 1,000 closes (a 2% random walk) with
// MA-cross 10/50 signals (vectorbt's crossed rule), fees 0.001, slippage 0.0005, the series written
// into arrays reused across runs (as the native wrapper's unzeroed ones are, once the process has
// them), at 1, 2, 4 and 8 threads; prints the best of 7 runs and the speed-up over one thread, and
// the same with stops (slStop 0.05, tpStop 0.1); stats() of the signals result at 1 and 2 threads; and the
// floor: the memory traffic of the series alone, into reused memory (plain and non-temporal stores) and
// into fresh memory.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "backtest/backtest.hpp"
#include "memory.hpp"
#include "parallel.hpp"

using namespace kernelbus;

namespace {

constexpr size_t T = 2520, K = 1000;

std::vector<double> sma(const std::vector<double>& close, size_t w) {
  std::vector<double> out(T * K, NAN);
  for (size_t c = 0; c < K; c++) {
    double sum = 0;
    for (size_t i = 0; i < T; i++) {
      sum += close[i * K + c];
      if (i >= w) sum -= close[(i - w) * K + c];
      if (i + 1 >= w) out[i * K + c] = sum / double(w);
    }
  }
  return out;
}

/// vectorbt's crossed_above of a over b, column by column.
std::vector<uint8_t> crossed(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<uint8_t> out(T * K, 0);
  for (size_t c = 0; c < K; c++) {
    bool below = false;
    for (size_t i = 0; i < T; i++) {
      const double x = a[i * K + c], y = b[i * K + c];
      if (std::isnan(x) || std::isnan(y)) {
        below = false;
      } else if (x < y) {
        below = true;
      } else if (x > y && below) {
        out[i * K + c] = 1;
        below = false;
      }
    }
  }
  return out;
}

}  // namespace

/// backtest::stats() of one signals run's result (every column its own group), at 1 and 2 threads.
void timeStats(const backtest::Simulation& sim, const std::vector<int32_t>& lens, const std::vector<double>& cash,
               std::vector<double>& value) {
  std::vector<double> assets(T * K), cashOut(T * K);
  backtest::Output out;
  out.assets = assets.data();
  out.cash = cashOut.data();
  out.value = value.data();
  backtest::run(sim, lens.data(), K, out);
  backtest::StatsInput in;
  in.rows = T;
  in.cols = in.groups = K;
  in.groupLens = lens.data();
  in.initCash = cash.data();
  in.value = value.data();
  in.close = sim.close;
  const backtest::Orders& o = out.orders;
  in.orderCount = o.count();
  in.col = o.col.data(), in.idx = o.idx.data(), in.size = o.size.data(), in.price = o.price.data(), in.fees = o.fees.data();
  in.side = o.side.data();
  const auto& f =
      out.trades.fields;  // id, col, size, entryIdx, entryPrice, entryFees, exitIdx, exitPrice, exitFees, pnl, return, direction, status
  in.tradeCount = out.trades.count();
  in.tradeCol = f[1].data(), in.entryIdx = f[3].data(), in.exitIdx = f[6].data(), in.pnl = f[9].data(), in.ret = f[10].data();
  in.status = f[12].data();
  std::vector<double> rows(K * backtest::kStatFields);
  double single = 0;
  for (const size_t threads : {1, 2}) {
    setThreadCount(threads);
    double best = 1e30;
    for (int run = 0; run < 7; run++) {
      const auto t0 = std::chrono::steady_clock::now();
      backtest::stats(in, 365, rows.data());
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    if (threads == 1) single = best;
    std::printf("stats of signals %zu x %zu, %zu thread(s): %.2f ms (total return of column 0: %.6f), %.2fx one thread\n", T, K, threads,
                best * 1e3, rows[2], single / best);
  }
}

/// The floor under a run: only the memory traffic every from_signals result needs (read the close and
/// the signals, write assets, cash and value: T x K doubles each), row by row on `threads` threads as
/// the run splits its columns, into series reused (`fresh` false) or freshly allocated and advised onto
/// huge pages each call (true: what a caller that keeps no result's memory pays, page faults included).
void timeFloor(const std::vector<double>& close, const std::vector<uint8_t>& entries, const std::vector<uint8_t>& exits, bool fresh,
               bool streaming = false) {
  std::vector<double> a(T * K), c(T * K), v(T * K);
  for (const size_t threads : {1, 2}) {
    setThreadCount(threads);
    double best = 1e30;
    for (int run = 0; run < 7; run++) {
      double *assets = a.data(), *cash = c.data(), *value = v.data();
      std::vector<double*> owned;
      const auto t0 = std::chrono::steady_clock::now();
      if (fresh) {
        for (double** p : {&assets, &cash, &value}) {
          *p = static_cast<double*>(std::malloc(T * K * sizeof(double)));
          adviseHugePages(*p, T * K * sizeof(double));
          owned.push_back(*p);
        }
      }
      parallelFor(K, 16, [&](size_t begin, size_t end) {
        for (size_t i = 0; i < T; i++) {
          const double* row = close.data() + i * K;
          const uint8_t *en = entries.data() + i * K, *ex = exits.data() + i * K;
          if (streaming) {
#if defined(__SSE2__)
            // as the simulation streams its series: a block of 64 columns computed into L1, then
            // copied out with non-temporal stores, 2 doubles at a time
            for (size_t k0 = begin; k0 < end; k0 += 64) {
              const size_t n = std::min<size_t>(64, end - k0);
              alignas(64) double staged[3][64];
              for (size_t k = 0; k < n; k++) {
                const double held = double(en[k0 + k] | ex[k0 + k]);
                staged[0][k] = held;
                staged[1][k] = 100 - held;
                staged[2][k] = 100 + held * row[k0 + k];
              }
              double* to[3] = {assets + i * K + k0, cash + i * K + k0, value + i * K + k0};
              for (size_t f = 0; f < 3; f++) {
                size_t k = 0;
                if ((reinterpret_cast<uintptr_t>(to[f]) & 15) != 0) to[f][k] = staged[f][k], k = 1;
                for (; k + 2 <= n; k += 2) _mm_stream_pd(to[f] + k, _mm_load_pd(&staged[f][k]));
                if (k < n) to[f][k] = staged[f][k];
              }
            }
#endif
            continue;
          }
          for (size_t k = begin; k < end; k++) {
            const double held = double(en[k] | ex[k]);
            assets[i * K + k] = held;
            cash[i * K + k] = 100 - held;
            value[i * K + k] = 100 + held * row[k];
          }
        }
      });
#if defined(__SSE2__)
      _mm_sfence();
#endif
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      double sum = 0;
      for (size_t i = 0; i < T * K; i += 4099) sum += value[i];
      if (sum == 42) std::printf(" ");  // keeps the writes
      for (double* p : owned) std::free(p);
    }
    std::printf("floor: the series' traffic alone, %s%s, %zu thread(s): %.2f ms\n", fresh ? "fresh memory each call" : "memory reused",
                streaming ? ", non-temporal stores" : "", threads, best * 1e3);
  }
}

int main() {
  std::vector<double> close(T * K);
  uint32_t state = 42;
  const auto uniform = [&] {
    state = state * 1664525u + 1013904223u;
    return double(state >> 8) / double(1u << 24);
  };
  for (size_t c = 0; c < K; c++) {
    double p = 50 + 100 * uniform();
    for (size_t i = 0; i < T; i++) close[i * K + c] = p *= 1 + (uniform() - 0.5) * 0.04;
  }
  const std::vector<double> fast = sma(close, 10), slow = sma(close, 50);
  const std::vector<uint8_t> entries = crossed(fast, slow), exits = crossed(slow, fast);
  const double inf = INFINITY, nan = NAN, zero = 0, one = 1e-8, fees = 0.001, slippage = 0.0005, reverse = 4, sl = 0.05, tp = 0.1;
  const uint8_t none = 0;
  const auto flex = [](const double* v) { return backtest::Flex<double>{v, 1, 1}; };
  backtest::Simulation sim;
  sim.kind = backtest::kSignals;
  sim.rows = T;
  sim.cols = K;
  sim.close = {close.data(), T, K};
  std::vector<int32_t> lens(K, 1);
  std::vector<double> cash(K, 100);
  sim.groupLens = lens.data();
  sim.groups = K;
  sim.initCash = cash.data();
  sim.entries = {entries.data(), T, K};
  sim.exits = {exits.data(), T, K};
  sim.shortEntries = sim.shortExits = {&none, 1, 1};
  sim.direction = sim.sizeType = sim.accumulate = sim.slTrail = flex(&zero);
  sim.size = sim.price = flex(&inf);
  sim.fees = flex(&fees);
  sim.fixedFees = flex(&zero);
  sim.slippage = flex(&slippage);
  sim.minSize = flex(&one);
  sim.uponOppositeEntry = flex(&reverse);
  sim.slStop = sim.tpStop = flex(&nan);
  std::vector<double> assets(T * K), cashOut(T * K), value(T * K);
  for (const bool stops : {false, true}) {
    sim.useStops = stops;
    sim.slStop = flex(stops ? &sl : &nan);
    sim.tpStop = flex(stops ? &tp : &nan);
    double single = 0;
    for (const size_t threads : {1, 2, 4, 8}) {
      setThreadCount(threads);
      double best = 1e30;
      size_t orders = 0;
      for (int run = 0; run < 7; run++) {
        backtest::Output out;
        out.assets = assets.data();
        out.cash = cashOut.data();
        out.value = value.data();
        const auto t0 = std::chrono::steady_clock::now();
        const backtest::FaultAt fault = backtest::run(sim, lens.data(), K, out);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        orders = out.orders.count();
        if (!fault.ok()) std::printf("fault %d\n", int(fault.fault));
      }
      if (threads == 1) single = best;
      std::printf("%s %zu x %zu, %zu thread(s): %.2f ms (%zu orders), %.2fx one thread\n", stops ? "stops" : "signals", T, K, threads,
                  best * 1e3, orders, single / best);
    }
    if (!stops) timeStats(sim, lens, cash, value);
    if (!stops) {
      timeFloor(close, entries, exits, false);
      timeFloor(close, entries, exits, false, true);
      timeFloor(close, entries, exits, true);
    }
  }
  return 0;
}
