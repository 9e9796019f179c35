// A checked reader of flatbuffers (https://flatbuffers.dev/internals/), enough for Arrow's Schema,
// Message and Footer tables: tables through their vtables, scalars, strings, vectors of structs and
// of tables. Every position is checked against the buffer before it is read; a bad one throws Fault
// with the byte offset in the file (`origin` is where the buffer starts in it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "arrow.hpp"

namespace kernelbus::arrow {

/// What the reader throws internally; readFile() and decodeColumns() turn it into their Result.
struct Fault {
  Result::Code code;
  std::string message;
};

[[noreturn]] inline void corrupt(const std::string& what, uint64_t at) {
  throw Fault{Result::Corrupt, what + " (byte " + std::to_string(at) + ")"};
}
[[noreturn]] inline void unsupported(const std::string& what) { throw Fault{Result::Unsupported, what}; }

template <typename T>
inline T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

struct Flatbuf {
  const uint8_t* base = nullptr;
  size_t size = 0;
  uint64_t origin = 0;

  void need(size_t at, size_t bytes, const char* what) const {
    if (at > size || size - at < bytes) corrupt(std::string(what) + " past the end of its flatbuffer", origin + at);
  }
  template <typename T>
  T at(size_t pos, const char* what) const {
    need(pos, sizeof(T), what);
    return load<T>(base + pos);
  }
};

/// A table: its position and vtable. A default-constructed Table (no buffer) has no fields.
class Table {
 public:
  Table() = default;
  Table(const Flatbuf* fb, size_t pos) : fb_(fb), pos_(pos) {
    const int64_t vt = static_cast<int64_t>(pos) - fb->at<int32_t>(pos, "a table");
    if (vt < 0 || static_cast<uint64_t>(vt) >= fb->size) corrupt("a vtable outside its flatbuffer", fb->origin + pos);
    vt_ = static_cast<size_t>(vt);
    vtSize_ = fb->at<uint16_t>(vt_, "a vtable");
    if (vtSize_ < 4 || (vtSize_ & 1)) corrupt("a vtable of " + std::to_string(vtSize_) + " bytes", fb->origin + vt_);
    fb->need(vt_, vtSize_, "a vtable");
    const uint16_t tableSize = fb->at<uint16_t>(vt_ + 2, "a vtable");
    fb->need(pos, tableSize, "a table");
    tableSize_ = tableSize;
  }
  /// The buffer's root table.
  static Table root(const Flatbuf* fb) { return Table(fb, fb->at<uint32_t>(0, "the root offset")); }

  bool valid() const { return fb_ != nullptr; }
  bool has(int field) const { return slot(field, 1) != 0; }

  template <typename T>
  T scalar(int field, T fallback) const {
    const size_t p = slot(field, sizeof(T));
    return p ? load<T>(fb_->base + p) : fallback;
  }
  /// A field's sub-table (an absent one: an invalid Table).
  Table table(int field) const {
    const size_t p = target(field);
    return p ? Table(fb_, p) : Table();
  }
  std::string_view string(int field) const {
    size_t n = 0;
    const size_t p = vector(field, 1, n);
    return p ? std::string_view(reinterpret_cast<const char*>(fb_->base + p), n) : std::string_view();
  }
  /// A vector field's first element and count (`width` bytes each; 0 when absent).
  size_t vector(int field, size_t width, size_t& count) const {
    count = 0;
    const size_t p = target(field);
    if (!p) return 0;
    const uint32_t n = fb_->at<uint32_t>(p, "a vector's length");
    if (n > (fb_->size - p - 4) / width) corrupt("a vector of " + std::to_string(n) + " elements past its flatbuffer", fb_->origin + p);
    count = n;
    return p + 4;
  }
  /// Element `i` of a vector of tables that starts at `first`.
  Table element(size_t first, size_t i) const {
    const size_t p = first + 4 * i;
    return Table(fb_, p + fb_->at<uint32_t>(p, "a vector element"));
  }
  const uint8_t* bytes(size_t pos) const { return fb_->base + pos; }
  uint64_t offset(size_t pos) const { return fb_->origin + pos; }

 private:
  /// The field's position when present and `width` bytes fit inside the table, else 0.
  size_t slot(int field, size_t width) const {
    if (!fb_) return 0;
    const size_t entry = 4 + 2 * static_cast<size_t>(field);
    if (entry + 2 > vtSize_) return 0;
    const uint16_t off = load<uint16_t>(fb_->base + vt_ + entry);
    if (off == 0) return 0;
    if (off + width > tableSize_) corrupt("a field past the end of its table", fb_->origin + pos_ + off);
    return pos_ + off;
  }
  /// Where an offset field points (0 when absent).
  size_t target(int field) const {
    const size_t p = slot(field, 4);
    if (!p) return 0;
    const uint64_t to = p + static_cast<uint64_t>(load<uint32_t>(fb_->base + p));
    if (to >= fb_->size) corrupt("an offset past the end of its flatbuffer", fb_->origin + p);
    return static_cast<size_t>(to);
  }

  const Flatbuf* fb_ = nullptr;
  size_t pos_ = 0, vt_ = 0;
  uint16_t vtSize_ = 0, tableSize_ = 0;
};

}  // namespace kernelbus::arrow
