// A whole file mapped into memory copy-on-write: the readers' input without a copy (POSIX mmap with
// MAP_PRIVATE, Windows CreateFileMapping with FILE_MAP_COPY). Writes to the mapping go to private pages,
// never to the file, so views of it can be handed to JavaScript as ordinary arrays. Plain C++, no N-API.
//
// The one hazard of any mapping: a file truncated by another process while it is mapped makes reads
// past its new end fault (SIGBUS on POSIX). docs/io.md says so; readers of files that other programs
// are still writing should read them as streams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace kernelbus::io {

class MappedFile {
 public:
  /// Maps the file at `path` (UTF-8). Returns null and sets `error` (the system's words) when the file
  /// cannot be opened or mapped. An empty file gives a mapping of size 0 and data() null.
  static std::unique_ptr<MappedFile> open(const char* path, std::string& error);

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  /// Hands back the pages lying wholly inside [offset, offset + length): their memory is freed and, if
  /// read again, refilled from the file (any private writes to them are lost). For a sequential reader
  /// that is done with a range, so that its resident memory stays bounded. A no-op on Windows.
  void release(size_t offset, size_t length);

 private:
  MappedFile() = default;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
#ifdef _WIN32
  void* mapping_ = nullptr;
#endif
};

}  // namespace kernelbus::io
