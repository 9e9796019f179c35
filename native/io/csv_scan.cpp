// Pass 1 of the block parser (csv_scan.hpp).
#include "csv_scan.hpp"

#include <algorithm>
#include <cstring>

#include "memory.hpp"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif
#ifdef _MSC_VER
#include <intrin.h>
#endif

namespace kernelbus::csv {

size_t countNewlines(const uint8_t* b, const uint8_t* e) {
  size_t n = 0;
  for (; b < e; b++) n += *b == '\n';
  return n;
}

namespace {

/// The next '"' at or after a scan position, searched ahead in windows (a file without quotes costs
/// one memchr per window, not one per line).
class QuoteFinder {
 public:
  QuoteFinder(const uint8_t* bytes, size_t size, size_t at) : bytes_(bytes), size_(size), next_(at), searched_(at) {}
  /// Forgets what was found: the scan moved past a quote to `at`.
  void reset(size_t at) { next_ = searched_ = at; }
  /// Whether [at, limit) holds a '"' (`at` at or after the position given last).
  bool anyBefore(size_t limit) {
    while (next_ == searched_ && searched_ < limit) {
      const size_t stop = std::min(size_, std::max(limit, searched_ + kWindow));
      const void* q = std::memchr(bytes_ + searched_, '"', stop - searched_);
      next_ = q != nullptr ? static_cast<size_t>(static_cast<const uint8_t*>(q) - bytes_) : stop;
      searched_ = stop;
    }
    return next_ < limit;
  }

 private:
  static constexpr size_t kWindow = 4096;
  const uint8_t* bytes_;
  size_t size_;
  size_t next_;      // the first '"' at or after the scan position, or searched_ when none is known
  size_t searched_;  // [scan position, searched_) was searched
};

/// What ended a record of scanQuotedRecord().
enum class RecordEnd { LineBreak, EndOfInput, UnclosedQuote };

/// A record from `p` whose first line has a '"': the field state machine to its end. Returns the
/// position after its '\n' (or `size`), adding the '\n' bytes crossed to `newlines`.
size_t scanQuotedRecord(const uint8_t* b, size_t size, size_t p, uint8_t delimiter, size_t& newlines, RecordEnd& end) {
  for (;;) {
    // a field's start: spaces and tabs (not the delimiter), then maybe an opening quote
    while (p < size && (b[p] == ' ' || b[p] == '\t') && b[p] != delimiter) p++;
    if (p < size && b[p] == '"') {
      p++;
      for (;;) {
        const void* q = std::memchr(b + p, '"', size - p);
        if (q == nullptr) {
          newlines += countNewlines(b + p, b + size);
          end = RecordEnd::UnclosedQuote;
          return size;
        }
        const size_t at = static_cast<size_t>(static_cast<const uint8_t*>(q) - b);
        newlines += countNewlines(b + p, b + at);
        p = at + 1;
        if (p < size && b[p] == '"') {
          p++;  // "" inside: one quote, still quoted
          continue;
        }
        break;
      }
    }
    // unquoted bytes (or those after the closing quote): a '"' here is an ordinary byte
    while (p < size && b[p] != delimiter && b[p] != '\n') p++;
    if (p == size) {
      end = RecordEnd::EndOfInput;
      return size;
    }
    if (b[p] == '\n') {
      newlines++;
      end = RecordEnd::LineBreak;
      return p + 1;
    }
    p++;  // the delimiter: the next field
  }
}

/// popcount, without asking the baseline x86-64 target for the instruction (GCC calls libgcc for it).
inline unsigned bitCount(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<unsigned>((x * 0x0101010101010101ULL) >> 56);
}

/// The index of the highest set bit of x (not 0).
inline size_t highestBit(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return 63 - static_cast<size_t>(__builtin_clzll(x));
#else
  unsigned long i;
  _BitScanReverse64(&i, x);
  return i;
#endif
}

/// The 64 bytes at s: bit i of nl, cr, quote set where byte i is '\n', '\r', '"'.
inline void byteMasks(const uint8_t* s, uint64_t& nl, uint64_t& cr, uint64_t& quote) {
#if defined(__SSE2__) || defined(_M_X64)
  const __m128i n = _mm_set1_epi8('\n'), r = _mm_set1_epi8('\r'), q = _mm_set1_epi8('"');
  nl = cr = quote = 0;
  for (int k = 0; k < 4; k++) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 16 * k));
    const int shift = 16 * k;
    nl |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, n)))) << shift;
    cr |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, r)))) << shift;
    quote |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, q)))) << shift;
  }
#else
  nl = cr = quote = 0;
  for (int k = 0; k < 64; k++) {
    nl |= static_cast<uint64_t>(s[k] == '\n') << k;
    cr |= static_cast<uint64_t>(s[k] == '\r') << k;
    quote |= static_cast<uint64_t>(s[k] == '"') << k;
  }
#endif
}

/// The whole lines from p (a line start) that end before `limit` and before the first '"' at or after
/// p: counted into `newlines` (each ends with its '\n') and `blanks` (those empty or holding "\r" alone,
/// as scanRecords' test of a line); returns where they end (p when there is none). One pass in windows
/// of 64 bytes, the '\n', '\r' and '"' of each as bit masks (csv_scan.hpp).
size_t wholeLines(const uint8_t* b, size_t p, size_t limit, size_t& newlines, size_t& blanks) {
  uint64_t nl1 = 1, nl2 = 0, cr1 = 0;  // '\n' one and two bytes before the window, '\r' one before (p starts a line)
  size_t end = p;
  uint8_t tail[64];
  for (size_t w = p; w < limit; w += 64) {
    const uint8_t* s = b + w;
    uint64_t valid = ~uint64_t{0};
    if (limit - w < 64) {  // the last bytes, in a copy padded with zeros (none of the three)
      std::memset(tail, 0, sizeof tail);
      std::memcpy(tail, s, limit - w);
      s = tail;
      valid = (uint64_t{1} << (limit - w)) - 1;
    }
    uint64_t nl, cr, quote;
    prefetchSpan(s + kPrefetchAhead, 64);  // the hardware prefetchers alone left it waiting on memory
    byteMasks(s, nl, cr, quote);
    if (quote != 0) valid &= (quote & (0 - quote)) - 1;  // the bytes before the first '"'
    const uint64_t lines = nl & valid;
    const uint64_t blank = lines & (((nl << 1) | nl1) | (((cr << 1) | cr1) & ((nl << 2) | (nl1 << 1) | nl2)));
    newlines += bitCount(lines);
    blanks += bitCount(blank);
    if (lines != 0) end = w + highestBit(lines) + 1;
    if (valid != ~uint64_t{0}) break;
    nl1 = nl >> 63, nl2 = (nl >> 62) & 1, cr1 = cr >> 63;
  }
  return end;
}

}  // namespace

ScanResult scanRecords(const uint8_t* b, size_t size, size_t from, size_t to, uint8_t delimiter, bool final) {
  ScanResult r;
  r.start = from;
  size_t p = from;
  QuoteFinder quotes(b, size, p);
  while (p < to && p < size) {
    // the whole lines before the next '"' and before `to`, at once
    size_t lines = 0, blanks = 0;
    if (const size_t e = wholeLines(b, p, std::min(to, size), lines, blanks); e > p) {
      r.records += lines - blanks;
      r.newlines += lines;
      p = e;
      quotes.reset(p);
      continue;
    }
    const void* found = std::memchr(b + p, '\n', size - p);
    const size_t nl = found != nullptr ? static_cast<size_t>(static_cast<const uint8_t*>(found) - b) : size;
    if (!quotes.anyBefore(nl)) {
      // a line without quotes: a record, unless blank (empty or only "\r")
      const bool blank = nl == p || (nl == p + 1 && b[p] == '\r');
      if (nl == size) {
        if (!final) {
          r.incomplete = true;
          break;
        }
        r.records += !blank;
        p = size;
        break;
      }
      r.records += !blank;
      r.newlines++;
      p = nl + 1;
    } else {
      size_t newlines = 0;
      RecordEnd end;
      const size_t next = scanQuotedRecord(b, size, p, delimiter, newlines, end);
      if (end != RecordEnd::LineBreak && !final) {
        r.incomplete = true;
        break;
      }
      r.records++;  // a line holding a '"' is never blank
      r.newlines += newlines;
      p = next;
      quotes.reset(p);
    }
  }
  r.end = p;
  return r;
}

}  // namespace kernelbus::csv
