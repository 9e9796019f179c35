// Fresh output memory: large typed arrays the kernels and readers fill are fresh zeroed pages, and the
// first write to each 4 KB page is a page fault. On a virtual machine a fault costs tens of microseconds
// (measured here: 147 ms to first-touch a 48 MB Float64Array, 1.8 ms to write it again), more than most
// kernels' own work. Backing such arrays with 2 MB pages (Linux THP in its common `madvise` mode) takes
// 512 times fewer faults.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace kernelbus {

/// Advises Linux to back the whole 2 MB spans of [data, data + bytes) with huge pages when they are
/// first written, or where hugePages() says off, to back them with none (MADV_NOHUGEPAGE: THP's
/// `always` mode would). A no-op where there is no whole span, where THP is off, and on other
/// systems. Contents are unchanged.
void adviseHugePages(void* data, size_t bytes);

/// Whether this process advises fresh outputs onto huge pages, and why (decided at the first call):
/// KERNELBUS_HUGE_PAGES=0 off, =1 on; otherwise on, but off on a virtual machine that reports its free
/// memory to the host (freePageReporting): there the free 2 MB blocks a huge page is made of are the
/// ones the host took back, and each first write to one waits for the host to supply its memory again
/// (docs/backends.md, "Huge pages": `kernelbus vpin` of a 10^7-trade CSV 0.56-3.5 s with the advice
/// against 0.60-0.68 s without).
struct HugePages {
  bool advised;
  const char* reason;
};
HugePages hugePages();

/// Whether the virtio devices in `devices` (a sysfs directory: /sys/bus/virtio/devices) include a
/// bound balloon that reports free pages to the host (VIRTIO_BALLOON_F_REPORTING negotiated). False
/// where the directory cannot be read, and off Linux.
bool freePageReporting(const char* devices);

/// What retainFreedMemory did: applied, or the reason it could not (empty when applied).
struct RetainFreed {
  bool applied;
  const char* reason;
};

/// The C library's allocator made to keep memory the process frees (glibc's mallopt): no trim of the
/// heap top below `trimThreshold` bytes free, `topPad` bytes more asked of the system at each growth,
/// and blocks below `mmapThreshold` bytes from the heap rather than mmap. Process-wide, for whoever runs
/// the process (docs/backends.md, "Fresh outputs and the collector"). Each value must be at most
/// kRetainMax; mmapThreshold at most kMmapThresholdMax (glibc refuses more). Does nothing where the C
/// library is not glibc (musl, macOS, Windows) and says so.
RetainFreed retainFreedMemory(size_t trimThreshold, size_t mmapThreshold, size_t topPad);
/// The largest value mallopt takes (an int).
constexpr size_t kRetainMax = 2147483647;
/// glibc's largest mmap threshold on a 64-bit system (DEFAULT_MMAP_THRESHOLD_MAX: 32 MiB).
constexpr size_t kMmapThresholdMax = size_t{4} * 1024 * 1024 * sizeof(long);

/// How many rows ahead a pass prefetches the rows it reads with prefetchSpan (a row of 64 columns,
/// 512 bytes, takes about the memory's latency to process).
constexpr size_t kRowsAhead = 8;

/// Asks the CPU to start loading [data, data + bytes) into its caches (a prefetch of each 64-byte line;
/// nothing where the compiler has no prefetch). For a run of rows read a few hundred bytes at a time a
/// whole row apart, which the hardware prefetchers do not follow: issued some rows ahead of the reads.
inline void prefetchSpan(const void* data, size_t bytes) {
#if defined(__GNUC__) || defined(__clang__)
  const char* p = static_cast<const char*>(data);
  for (size_t q = 0; q < bytes; q += 64) __builtin_prefetch(p + q);
#else
  (void)data;
  (void)bytes;
#endif
}

/// A huge page (Linux THP on x86-64 and arm64 with 4 KB pages).
constexpr size_t kHugePage = size_t{2} << 20;
/// `bytes` rounded up to whole huge pages.
constexpr size_t wholeHugePages(size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }

/// std::allocator for the kernels' large scratch vectors, whose vectors leave the values resize() adds
/// uninitialized (default-initialized: the caller writes them; zeroing them first is a pass of its own:
/// vpin()'s bars, a covariance's centred returns). Its blocks are on huge pages where they are large:
///  - kAligned false (UninitAllocator): a block from 4 MB is advised (adviseHugePages) as it is: vpin()'s
///    bars, 64 bytes a bar, 460 MB for 10^7 trades in 10 ms bars, faulted 113,000 pages of 4 KB without it;
///  - kAligned true (HugeAlignedAllocator): on Linux, a block from 1 MB is 2 MB-aligned whole huge pages
///    advised before its first write (a block of 1 to 2 MB then takes a whole 2 MB page once written: at
///    most twice its size, for 512 faults fewer): a grid backtest's records in the making, 20 blocks of
///    1-3 MB, faulted 10,000 pages of 4 KB a call. Not for scratch read in lockstep with other arrays:
///    vpin()'s bars so aligned ran 15-20% slower (no fault either way).
template <typename T, bool kAligned>
struct ScratchAllocator : std::allocator<T> {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = ScratchAllocator<U, kAligned>;
  };
  /// The smallest aligned block (kAligned).
  static constexpr size_t kFrom = kHugePage / 2;
  ScratchAllocator() = default;
  template <typename U>
  ScratchAllocator(const ScratchAllocator<U, kAligned>&) noexcept {}
  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (aligned(bytes)) {
      const size_t whole = wholeHugePages(bytes);
      void* data = ::operator new (whole, std::align_val_t{kHugePage});
      adviseHugePages(data, whole);
      return static_cast<T*>(data);
    }
    T* data = std::allocator<T>::allocate(n);
    if (!kAligned && bytes >= 2 * kHugePage) adviseHugePages(data, bytes);
    return data;
  }
  void deallocate(T* data, size_t n) {
    if (aligned(n * sizeof(T)))
      ::operator delete (data, std::align_val_t{kHugePage});
    else
      std::allocator<T>::deallocate(data, n);
  }
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... A>
  void construct(U* p, A&&... a) {
    ::new (static_cast<void*>(p)) U(std::forward<A>(a)...);
  }

 private:
  static constexpr bool aligned(size_t bytes) {
#if defined(__linux__)
    return kAligned && bytes >= kFrom;
#else
    (void)bytes;
    return false;
#endif
  }
};
template <typename T, typename U, bool kAligned>
bool operator==(const ScratchAllocator<T, kAligned>&, const ScratchAllocator<U, kAligned>&) noexcept {
  return true;
}
template <typename T, typename U, bool kAligned>
bool operator!=(const ScratchAllocator<T, kAligned>&, const ScratchAllocator<U, kAligned>&) noexcept {
  return false;
}
template <typename T>
using UninitAllocator = ScratchAllocator<T, false>;
template <typename T>
using HugeAlignedAllocator = ScratchAllocator<T, true>;

}  // namespace kernelbus
