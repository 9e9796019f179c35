// The kernels' fork-join over one persistent thread pool per process (parallel.cpp).
//
// parallelFor(n, minChunk, f) runs f(begin, end) over [0, n) split into at most threadCount()
// contiguous chunks of at least minChunk items each; parallelForChunks(n, chunk, f) over chunks of
// `chunk` items each (the last one shorter), however many threads there are. Either way the chunks are
// handed out one at a time to the calling thread and the pool's parked workers, so a slow chunk does
// not hold up the others' (finer chunks balance better). Chunks only decide who computes what: every
// kernel that uses them computes each output exactly as with one thread (no sum crosses a chunk, and a
// chunk's bounds do not depend on the thread count under parallelForChunks), so results do not depend
// on the thread count.
//
// The pool: threadCount() - 1 workers, started on first use and kept (grown when threadCount() grows,
// never shrunk: a call uses only as many as it asks for), parked on a condition variable between
// calls (no spinning). One call at a time owns it: a call that finds it owned (another thread's
// kernel, an async variant on the libuv pool, or a nested call from inside a chunk) runs its chunks on
// its own thread, in order, with the same bounds. An exception in a chunk (std::bad_alloc) is rethrown
// in the caller, the lowest chunk's first, once every chunk has finished.
#pragma once

#include <cstddef>
#include <type_traits>
#include <vector>

namespace kernelbus {

/// The threads kernels may use: setThreadCount()'s value, else KERNELBUS_THREADS, else the cores.
size_t threadCount();
/// Sets the thread count for later calls (0: back to the default).
void setThreadCount(size_t n);

/// The pool's workers started so far (test hook: stays threadCount() - 1 across calls).
size_t poolWorkers();

namespace detail {
using ChunkFn = void (*)(void* ctx, size_t begin, size_t end);
/// Runs fn(ctx, c * size, min(n, (c + 1) * size)) for every chunk c of [0, n) on up to `threads`
/// threads (the caller's included), as the module's comment says.
void runChunks(size_t n, size_t size, size_t threads, ChunkFn fn, void* ctx);

template <typename F>
void runChunksOf(size_t n, size_t size, size_t threads, F& f) {
  using Fn = std::remove_reference_t<F>;
  runChunks(
      n, size, threads, [](void* ctx, size_t begin, size_t end) { (*static_cast<Fn*>(ctx))(begin, end); },
      const_cast<void*>(static_cast<const void*>(&f)));
}
}  // namespace detail

/// Runs f(begin, end) over at most threadCount() chunks of [0, n), each of at least minChunk items.
template <typename F>
void parallelFor(size_t n, size_t minChunk, F&& f) {
  const size_t threads = threadCount();
  size_t chunks = minChunk == 0 ? threads : n / minChunk;
  chunks = chunks < threads ? chunks : threads;
  if (chunks <= 1) {
    if (n > 0) f(size_t{0}, n);
    return;
  }
  detail::runChunksOf(n, (n + chunks - 1) / chunks, chunks, f);
}

/// Runs f(begin, end) over the chunks [c * chunk, (c + 1) * chunk) of [0, n): the same bounds on any
/// number of threads, handed out dynamically (for work whose items cost unevenly).
template <typename F>
void parallelForChunks(size_t n, size_t chunk, F&& f) {
  if (n == 0) return;
  if (chunk == 0) chunk = 1;
  const size_t count = (n + chunk - 1) / chunk, threads = threadCount();
  detail::runChunksOf(n, chunk, count < threads ? count : threads, f);
}

/// The lowest index in [0, n) that find(begin, end) reports over the chunks [c * chunk, (c + 1) * chunk)
/// of parallelForChunks (find returns an index in [begin, end), or end for none); n when none does.
/// One chunk or less runs on the calling thread, with nothing allocated.
template <typename F>
size_t parallelFirst(size_t n, size_t chunk, F&& find) {
  if (n <= chunk) return find(size_t{0}, n);
  std::vector<size_t> found((n + chunk - 1) / chunk, n);
  parallelForChunks(n, chunk, [&](size_t begin, size_t end) {
    const size_t at = find(begin, end);
    if (at < end) found[begin / chunk] = at;
  });
  for (const size_t at : found)
    if (at < n) return at;
  return n;
}

}  // namespace kernelbus
