// See parallel.hpp.
#include "parallel.hpp"

#include <atomic>
#include <cstdlib>

namespace kernelbus {
namespace {

std::atomic<size_t> configured{0};

size_t defaultThreads() {
  static const size_t value = [] {
    if (const char* env = std::getenv("KERNELBUS_THREADS")) {
      const long n = std::strtol(env, nullptr, 10);
      if (n >= 1 && n <= 1024) return static_cast<size_t>(n);
    }
    const unsigned cores = std::thread::hardware_concurrency();
    return static_cast<size_t>(cores > 0 ? cores : 1);
  }();
  return value;
}

}  // namespace

size_t threadCount() {
  const size_t n = configured.load(std::memory_order_relaxed);
  return n > 0 ? n : defaultThreads();
}

void setThreadCount(size_t n) { configured.store(n > 1024 ? 1024 : n, std::memory_order_relaxed); }

}  // namespace kernelbus
