#include "memory.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace kernelbus {

namespace {

/// False when KERNELBUS_HUGE_PAGES=0 (read once): on a virtual machine whose host takes back the guest's
/// free 2 MB blocks, a huge page's first write can cost more than its 512 small pages' faults
/// (docs/backends.md, "Huge pages").
bool hugePagesAdvised() {
  static const bool advised = [] {
    const char* v = std::getenv("KERNELBUS_HUGE_PAGES");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }();
  return advised;
}

}  // namespace

void adviseHugePages(void* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  if (data == nullptr || bytes < kHuge || !hugePagesAdvised()) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

RetainFreed retainFreedMemory(size_t trimThreshold, size_t mmapThreshold, size_t topPad) {
#if defined(__GLIBC__)
  if (trimThreshold > kRetainMax || topPad > kRetainMax || mmapThreshold > kMmapThresholdMax) {
    return {false, "a value above what mallopt takes"};
  }
  // mmap threshold first: a fixed one (and a fixed trim threshold) also ends glibc's dynamic adjustment
  const bool ok = mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmapThreshold)) == 1 &&
                  mallopt(M_TRIM_THRESHOLD, static_cast<int>(trimThreshold)) == 1 && mallopt(M_TOP_PAD, static_cast<int>(topPad)) == 1;
  return ok ? RetainFreed{true, ""} : RetainFreed{false, "glibc's mallopt refused a value"};
#else
  (void)trimThreshold;
  (void)mmapThreshold;
  (void)topPad;
#if defined(__APPLE__)
  return {false, "the C library is not glibc (macOS): nothing changed"};
#elif defined(_WIN32)
  return {false, "the C library is not glibc (Windows): nothing changed"};
#else
  return {false, "the C library is not glibc (musl or another): nothing changed"};
#endif
#endif
}

}  // namespace kernelbus
