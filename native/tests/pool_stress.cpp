// Stress of the persistent pool (native/kernels/parallel.hpp), meant for a TSan or ASan build:
//   cmake -B build-tsan -DKERNELBUS_NATIVE_TESTS=ON -DCMAKE_CXX_FLAGS=-fsanitize=thread && cmake --build build-tsan --target pool_stress
//   build-tsan/pool_stress
// Four threads call parallelFor and parallelForChunks at once (one owns the pool, the others run
// inline), with calls nested inside chunks, exceptions thrown from chunks (the lowest chunk's is the
// one rethrown) and the thread count changed between rounds (the pool grows, never shrinks). Exit 0
// when every output is right and the pool has threadCount() - 1 workers at its largest count.
#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "parallel.hpp"

using namespace kernelbus;

int main() {
  setThreadCount(2);
  std::atomic<int> bad{0};
  auto body = [&](int seed) {
    for (int it = 0; it < 2000; it++) {
      const size_t n = 1 + (it * 7 + seed) % 300;
      std::vector<double> out(n, 0), o2(n, 0);
      parallelForChunks(n, 3, [&](size_t b, size_t e) {
        for (size_t i = b; i < e; i++) out[i] = i * 2.0;
        if (b == 0) parallelFor(10, 1, [&](size_t, size_t) {});
      });
      parallelFor(n, 1, [&](size_t b, size_t e) {
        for (size_t i = b; i < e; i++) o2[i] = i + 1.0;
      });
      for (size_t i = 0; i < n; i++)
        if (out[i] != i * 2.0 || o2[i] != i + 1.0) bad++;
      if (it % 100 == 0) {
        try {
          parallelForChunks(50, 1, [&](size_t b, size_t) {
            if (b == 7 || b == 30) throw std::runtime_error(std::to_string(b));
          });
          bad++;
        } catch (const std::runtime_error& e) {
          if (std::string(e.what()) != "7") bad++;
        }
      }
    }
  };
  std::vector<std::thread> callers;
  for (int k = 0; k < 4; k++) callers.emplace_back(body, k);
  for (std::thread& t : callers) t.join();
  setThreadCount(4);
  body(9);
  setThreadCount(1);
  body(3);
  setThreadCount(2);
  body(5);
  std::printf("pool_stress: %d wrong, %zu workers\n", bad.load(), poolWorkers());
  return bad != 0 || poolWorkers() != 3;
}
