// Fresh output memory: large typed arrays the kernels and readers fill are fresh zeroed pages, and the
// first write to each 4 KB page is a page fault. On a virtual machine a fault costs tens of microseconds
// (measured here: 147 ms to first-touch a 48 MB Float64Array, 1.8 ms to write it again), more than most
// kernels' own work. Backing such arrays with 2 MB pages (Linux THP in its common `madvise` mode) takes
// 512 times fewer faults.
#pragma once

#include <cstddef>

namespace kernelbus {

/// Advises Linux to back the whole 2 MB spans of [data, data + bytes) with huge pages when they are
/// first written (a no-op below 4 MB, where THP is off, and on other systems). Contents are unchanged.
void adviseHugePages(void* data, size_t bytes);

}  // namespace kernelbus
