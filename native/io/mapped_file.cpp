// MappedFile (mapped_file.hpp): mmap on POSIX, CreateFileMapping + MapViewOfFile on Windows.
#include "mapped_file.hpp"

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#endif

namespace kernelbus::io {

#ifdef _WIN32

namespace {
std::string lastError() {
  char text[256] = {0};
  const DWORD code = GetLastError();
  const DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, code, 0, text,
                                 sizeof(text) - 1, nullptr);
  std::string s(text, n);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == '.')) s.pop_back();
  return s.empty() ? "error " + std::to_string(code) : s;
}
}  // namespace

std::unique_ptr<MappedFile> MappedFile::open(const char* path, std::string& error) {
  const int wide = MultiByteToWideChar(CP_UTF8, 0, path, -1, nullptr, 0);
  if (wide <= 0) {
    error = "not a UTF-8 path";
    return nullptr;
  }
  std::wstring wpath(static_cast<size_t>(wide), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath.data(), wide);
  HANDLE file = CreateFileW(wpath.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                            nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_SEQUENTIAL_SCAN, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    error = lastError();
    return nullptr;
  }
  std::unique_ptr<MappedFile> m(new MappedFile());
  LARGE_INTEGER size;
  if (!GetFileSizeEx(file, &size)) {
    error = lastError();
    CloseHandle(file);
    return nullptr;
  }
  if (size.QuadPart == 0) {
    CloseHandle(file);
    return m;
  }
  m->mapping_ = CreateFileMappingW(file, nullptr, PAGE_WRITECOPY, 0, 0, nullptr);
  CloseHandle(file);  // the mapping keeps the file open
  if (!m->mapping_) {
    error = lastError();
    return nullptr;
  }
  m->data_ = static_cast<uint8_t*>(MapViewOfFile(m->mapping_, FILE_MAP_COPY, 0, 0, 0));
  if (!m->data_) {
    error = lastError();
    return nullptr;
  }
  m->size_ = static_cast<size_t>(size.QuadPart);
  return m;
}

MappedFile::~MappedFile() {
  if (data_) UnmapViewOfFile(data_);
  if (mapping_) CloseHandle(mapping_);
}

void MappedFile::release(size_t, size_t) {}

#else

std::unique_ptr<MappedFile> MappedFile::open(const char* path, std::string& error) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return nullptr;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    error = std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  if (!S_ISREG(st.st_mode)) {
    error = S_ISDIR(st.st_mode) ? "a directory" : "not a regular file";
    ::close(fd);
    return nullptr;
  }
  std::unique_ptr<MappedFile> m(new MappedFile());
  if (st.st_size == 0) {
    ::close(fd);
    return m;
  }
  void* data = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  const int mapErrno = errno;
  ::close(fd);  // the mapping keeps the file
  if (data == MAP_FAILED) {
    error = std::strerror(mapErrno);
    return nullptr;
  }
  m->data_ = static_cast<uint8_t*>(data);
  m->size_ = static_cast<size_t>(st.st_size);
  return m;
}

MappedFile::~MappedFile() {
  if (data_) munmap(data_, size_);
}

void MappedFile::release(size_t offset, size_t length) {
  if (!data_ || offset >= size_) return;
  if (length > size_ - offset) length = size_ - offset;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t begin = (offset + page - 1) / page * page;
  const size_t end = (offset + length) / page * page;
  if (end > begin) madvise(data_ + begin, end - begin, MADV_DONTNEED);
}

#endif

}  // namespace kernelbus::io
