// A minimal fork-join for the kernels' large loops: parallelFor(n, minChunk, f) runs f(begin, end)
// over [0, n) split into at most threadCount() contiguous chunks of at least minChunk items each, the
// first on the calling thread. Chunks only decide who computes what: every kernel that uses it
// computes each output exactly as with one thread (no sum crosses a chunk), so results do not depend
// on the thread count. An exception in a worker (std::bad_alloc) is rethrown in the caller.
#pragma once

#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace kernelbus {

/// The threads kernels may use: setThreadCount()'s value, else KERNELBUS_THREADS, else the cores.
size_t threadCount();
/// Sets the thread count for later calls (0: back to the default).
void setThreadCount(size_t n);

template <typename F>
void parallelFor(size_t n, size_t minChunk, F&& f) {
  size_t chunks = minChunk == 0 ? threadCount() : n / minChunk;
  chunks = chunks < threadCount() ? chunks : threadCount();
  if (chunks <= 1) {
    if (n > 0) f(size_t{0}, n);
    return;
  }
  const size_t size = (n + chunks - 1) / chunks;
  std::vector<std::thread> workers;
  std::vector<std::exception_ptr> errors(chunks);
  workers.reserve(chunks - 1);
  for (size_t c = 1; c < chunks; c++) {
    const size_t begin = c * size, end = begin + size < n ? begin + size : n;
    if (begin >= end) break;
    workers.emplace_back([&f, &errors, c, begin, end] {
      try {
        f(begin, end);
      } catch (...) {
        errors[c] = std::current_exception();
      }
    });
  }
  try {
    f(size_t{0}, size < n ? size : n);
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (std::thread& w : workers) w.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace kernelbus
