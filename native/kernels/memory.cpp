#include "memory.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <string>
#if defined(__linux__)
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace kernelbus {

bool freePageReporting(const char* devices) {
#if defined(__linux__)
  DIR* dir = opendir(devices);
  if (dir == nullptr) return false;
  bool found = false;
  // a device's first line of a small sysfs file, or "" where it cannot be read
  auto firstLine = [](const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return std::string();
    char line[256] = {};
    const bool got = std::fgets(line, sizeof line, f) != nullptr;
    std::fclose(f);
    return got ? std::string(line) : std::string();
  };
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const std::string device = std::string(devices) + "/" + e->d_name;
    struct stat driver;
    // a bound balloon (virtio device id 5) whose negotiated features (one '0' or '1' per bit, bit 0
    // first) include VIRTIO_BALLOON_F_REPORTING, bit 5
    if (std::strtol(firstLine(device + "/device").c_str(), nullptr, 0) != 5 || stat((device + "/driver").c_str(), &driver) != 0) continue;
    const std::string features = firstLine(device + "/features");
    if (features.size() > 5 && features[5] == '1') {
      found = true;
      break;
    }
  }
  closedir(dir);
  return found;
#else
  (void)devices;
  return false;
#endif
}

HugePages hugePages() {
  static const HugePages decided = [] {
    const char* v = std::getenv("KERNELBUS_HUGE_PAGES");
    if (v != nullptr && std::strcmp(v, "0") == 0) return HugePages{false, "off: KERNELBUS_HUGE_PAGES=0"};
    if (v != nullptr && std::strcmp(v, "1") == 0) return HugePages{true, "on: KERNELBUS_HUGE_PAGES=1"};
    if (freePageReporting("/sys/bus/virtio/devices")) {
      return HugePages{false,
                       "off: this virtual machine reports its free memory to the host (virtio-balloon), which takes it back: a fresh 2 MB "
                       "page is slower to first write than its 512 small pages, so fresh outputs are refused them (KERNELBUS_HUGE_PAGES=1 "
                       "advises them)"};
    }
    return HugePages{true, "on (KERNELBUS_HUGE_PAGES=0 turns it off)"};
  }();
  return decided;
}

void adviseHugePages(void* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = kHugePage;
  if (data == nullptr || bytes < kHuge) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  // off: refused outright, which matters where THP is `always` (every large mapping on huge pages)
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, hugePages().advised ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
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
