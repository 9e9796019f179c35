// See blas_threads.hpp.
#include "blas_threads.hpp"

#include <algorithm>
#include <mutex>

#include "lapack_compat.hpp"

namespace kernelbus::blas {
namespace {

// The setting and the guards alive, under one lock (setThreads() runs on the JS thread, guards on the
// kernels' threads).
struct State {
  std::mutex lock;
  int setting = 0;    // the threads wanted; 0 until first read
  size_t guards = 0;  // OneLibraryThread alive
};

State& state() {
  static State s;
  return s;
}

// The library's own thread count, read once before any change.
int defaultThreads() {
  static const int threads = libraryThreads();
  return threads;
}

// The setting (the library's default until setThreads()); the caller holds the lock.
int settingOf(State& s) {
  if (s.setting == 0) s.setting = std::max(defaultThreads(), 1);
  return s.setting;
}

}  // namespace

size_t threads() {
  State& s = state();
  std::lock_guard<std::mutex> hold(s.lock);
  // the library's own count (Accelerate's: the cores), but the setting while a guard holds it at 1
  return static_cast<size_t>(s.guards > 0 ? settingOf(s) : std::max(libraryThreads(), 1));
}

void setThreads(size_t n) {
  State& s = state();
  std::lock_guard<std::mutex> hold(s.lock);
  const int fallback = std::max(defaultThreads(), 1);  // read before the first change, whatever n is
  s.setting = n == 0 ? fallback : static_cast<int>(std::min<size_t>(n, 1024));
  if (s.guards == 0 && s.setting != libraryThreads()) setLibraryThreads(s.setting);
}

OneLibraryThread::OneLibraryThread() {
  State& s = state();
  std::lock_guard<std::mutex> hold(s.lock);
  settingOf(s);  // the default read before the change
  if (s.guards++ == 0 && libraryThreads() != 1) setLibraryThreads(1);
}

OneLibraryThread::~OneLibraryThread() {
  State& s = state();
  std::lock_guard<std::mutex> hold(s.lock);
  if (--s.guards == 0 && libraryThreads() != s.setting) setLibraryThreads(s.setting);
}

}  // namespace kernelbus::blas
