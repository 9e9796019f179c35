// readFileInto(): a whole file into the caller's memory (stdio, unbuffered: one read per 64 MB), with
// the destination advised to huge pages first (parquet_read.cpp: first writes to fresh memory fault per
// 4 KB page, which dominates a read on a virtual machine). Portable: plain C stdio.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "memory.hpp"
#include "parquet.hpp"

namespace kernelbus::parquet {

Result readFileInto(const char* path, uint8_t* out, size_t size, size_t& read) {
  read = 0;
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return {Result::Corrupt, std::strerror(errno)};
  std::setvbuf(f, nullptr, _IONBF, 0);
  adviseHugePages(out, size);
  Result r;
  while (read < size) {
    const size_t want = size - read < (size_t{64} << 20) ? size - read : (size_t{64} << 20);
    const size_t n = std::fread(out + read, 1, want, f);
    read += n;
    if (n < want) {
      if (std::ferror(f)) r = {Result::Corrupt, std::strerror(errno)};
      break;
    }
  }
  // a file that grew since its size was taken: its first `size` bytes are read, the caller sees `read`
  std::fclose(f);
  return r;
}

}  // namespace kernelbus::parquet
