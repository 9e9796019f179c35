// C++-only benchmark of the backtest simulation (no Node): cmake -DKERNELBUS_NATIVE_BENCH=ON, or
//   g++ -O3 -std=c++17 -ffp-contract=off -fno-trapping-math -fno-math-errno -Inative/kernels native/bench/backtest_bench.cpp \
//     native/kernels/backtest/*.cpp native/kernels/parallel.cpp native/kernels/memory.cpp native/kernels/simd.cpp -lpthread
// The bench's first row without Node: from_signals on 2,520 x 1,000 closes (a 2% random walk) with
// MA-cross 10/50 signals (vectorbt's crossed rule), fees 0.001, slippage 0.0005, into its records, at
// 1, 2, 4 and 8 threads; prints the best of 7 runs and the speed-up over one thread, and the same with
// stops (slStop 0.05, tpStop 0.1); then of the signals result its value (series(), into an array reused
// across runs) and stats() at 1 and 2 threads.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "backtest/backtest.hpp"
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

/// The value (series()) and backtest::stats() of one signals run's result (every column its own group), at 1 and 2 threads.
void timeValueAndStats(const backtest::Simulation& sim, const std::vector<int32_t>& lens, const std::vector<double>& cash) {
  backtest::Output out;
  backtest::run(sim, lens.data(), K, out);
  const backtest::Orders& o = out.orders;
  backtest::SeriesInput series;
  series.rows = T;
  series.cols = series.groups = K;
  series.groupLens = lens.data();
  series.initCash = cash.data();
  series.close = sim.close;
  series.orderCount = o.count();
  series.col = o.col.data(), series.idx = o.idx.data(), series.size = o.size.data(), series.price = o.price.data();
  series.fees = o.fees.data(), series.side = o.side.data();
  std::vector<double> value(T * K);
  double single = 0;
  for (const size_t threads : {1, 2}) {
    setThreadCount(threads);
    double best = 1e30;
    for (int run = 0; run < 7; run++) {
      const auto t0 = std::chrono::steady_clock::now();
      backtest::series(series, backtest::SeriesOut{nullptr, nullptr, value.data()});
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    if (threads == 1) single = best;
    std::printf("value of signals %zu x %zu, %zu thread(s): %.2f ms, %.2fx one thread\n", T, K, threads, best * 1e3, single / best);
  }
  backtest::StatsInput in;
  in.rows = T;
  in.cols = in.groups = K;
  in.groupLens = lens.data();
  in.initCash = cash.data();
  in.value = value.data();
  in.valueLength = value.size();
  in.close = sim.close;
  in.orderCount = o.count();
  in.col = o.col.data(), in.idx = o.idx.data(), in.size = o.size.data(), in.price = o.price.data(), in.fees = o.fees.data();
  in.side = o.side.data();
  const auto& f =
      out.trades.fields;  // id, col, size, entryIdx, entryPrice, entryFees, exitIdx, exitPrice, exitFees, pnl, return, direction, status
  in.tradeCount = out.trades.count();
  in.tradeCol = f[1].data(), in.entryIdx = f[3].data(), in.exitIdx = f[6].data(), in.pnl = f[9].data(), in.ret = f[10].data();
  in.status = f[12].data();
  std::vector<double> rows(K * backtest::kStatFields);
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

}  // namespace

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
        backtest::Records records;  // what the addon's call makes (its arrays are written from them)
        const auto t0 = std::chrono::steady_clock::now();
        const backtest::FaultAt fault = backtest::simulate(sim, lens.data(), K, records);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        orders = records.orderCount();
        if (!fault.ok()) std::printf("fault %d\n", int(fault.fault));
      }
      if (threads == 1) single = best;
      std::printf("%s %zu x %zu, %zu thread(s): %.2f ms (%zu orders), %.2fx one thread\n", stops ? "stops" : "signals", T, K, threads,
                  best * 1e3, orders, single / best);
    }
    if (!stops) timeValueAndStats(sim, lens, cash);
  }
  return 0;
}
