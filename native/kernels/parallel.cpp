// See parallel.hpp: the thread count and the process's one pool.
#include "parallel.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

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

// KERNELBUS_SERIAL_CHUNKS=1: every call's chunks on the calling thread, in order, with the bounds its
// thread count gives (what native/fuzz/run.sh's seeded search sets: the coverage, and with it the inputs
// libFuzzer searches next, must not depend on how threads interleave).
bool serialChunks() {
  static const bool value = [] {
    const char* env = std::getenv("KERNELBUS_SERIAL_CHUNKS");
    return env != nullptr && env[0] == '1';
  }();
  return value;
}

// One call's chunks: taken by index from `next` by every thread that joined it.
struct Job {
  detail::ChunkFn fn = nullptr;
  void* ctx = nullptr;
  size_t n = 0, size = 1, count = 0;
  std::atomic<size_t> next{0};
  // the lowest failing chunk and its exception (under Pool::mutex_)
  size_t failedAt = 0;
  std::exception_ptr error;
};

// The pool. Workers wait on wake_ for a new generation; a job's owner sets the job, bumps the
// generation and wakes `helpers` workers; each worker that joins (joined_ < helpers_, under the mutex)
// counts itself in active_ and takes chunks until none is left; the owner takes chunks too, then waits
// on idle_ until active_ is 0, so no worker still reads the job when the owner returns. A late worker
// (woken after the chunks ran out) finds none and leaves.
class Pool {
 public:
  // Runs `job` on up to `threads` threads, or false when another call owns the pool.
  bool run(Job& job, size_t threads) {
    bool expected = false;
    if (!owned_.compare_exchange_strong(expected, true, std::memory_order_acquire)) return false;
    bool all = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      idle_.wait(lock, [&] { return active_ == 0; });
      while (workers_.size() + 1 < threads) workers_.emplace_back([this] { loop(); });
      job_ = &job;
      helpers_ = threads - 1;
      joined_ = 0;
      generation_++;
      all = helpers_ == workers_.size();
    }
    if (all) {
      wake_.notify_all();
    } else {
      for (size_t i = 0; i + 1 < threads; i++) wake_.notify_one();
    }
    work(job);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      idle_.wait(lock, [&] { return active_ == 0; });
      job_ = nullptr;
    }
    owned_.store(false, std::memory_order_release);
    return true;
  }

  size_t workers() {
    std::lock_guard<std::mutex> lock(mutex_);
    return workers_.size();
  }

  // Takes and runs chunks of `job` until none is left.
  void work(Job& job) {
    for (;;) {
      const size_t c = job.next.fetch_add(1, std::memory_order_relaxed);
      if (c >= job.count) return;
      const size_t begin = c * job.size, end = begin + job.size < job.n ? begin + job.size : job.n;
      try {
        job.fn(job.ctx, begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!job.error || c < job.failedAt) {
          job.error = std::current_exception();
          job.failedAt = c;
        }
      }
    }
  }

 private:
  void loop() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      if (job_ == nullptr || joined_ >= helpers_) continue;
      Job& job = *job_;
      joined_++;
      active_++;
      lock.unlock();
      work(job);
      lock.lock();
      if (--active_ == 0) idle_.notify_all();
    }
  }

  std::atomic<bool> owned_{false};
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::vector<std::thread> workers_;
  Job* job_ = nullptr;
  uint64_t generation_ = 0;
  size_t helpers_ = 0, joined_ = 0, active_ = 0;
};

// Never destroyed: parked workers may outlive static destruction at exit without touching freed state.
Pool& pool() {
  static Pool* const instance = new Pool();
  return *instance;
}

}  // namespace

size_t threadCount() {
  const size_t n = configured.load(std::memory_order_relaxed);
  return n > 0 ? n : defaultThreads();
}

void setThreadCount(size_t n) { configured.store(n > 1024 ? 1024 : n, std::memory_order_relaxed); }

size_t poolWorkers() { return pool().workers(); }

namespace detail {

void runChunks(size_t n, size_t size, size_t threads, ChunkFn fn, void* ctx) {
  if (n == 0) return;
  Job job;
  job.fn = fn;
  job.ctx = ctx;
  job.n = n;
  job.size = size == 0 ? 1 : size;
  job.count = (n + job.size - 1) / job.size;
  if (threads > job.count) threads = job.count;
  if (threads <= 1 || serialChunks() || !pool().run(job, threads)) {
    // one thread, or the pool is another call's (or KERNELBUS_SERIAL_CHUNKS): every chunk here, in order, the same bounds
    for (size_t c = 0; c < job.count; c++) {
      const size_t begin = c * job.size;
      fn(ctx, begin, begin + job.size < n ? begin + job.size : n);
    }
    return;
  }
  if (job.error) std::rethrow_exception(job.error);
}

}  // namespace detail
}  // namespace kernelbus
