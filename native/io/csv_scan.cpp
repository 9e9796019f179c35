// Pass 1 of the block parser (csv_scan.hpp).
#include "csv_scan.hpp"

#include <algorithm>
#include <cstring>

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
  /// The first '"' in [at, limit), or `limit` when there is none (`at` at or after the position given last).
  size_t firstBefore(size_t limit) { return anyBefore(limit) ? next_ : limit; }

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

/// The lines of [p, e) (each ending with its '\n'; `p` a line start, `e` after a '\n'), none holding a '"':
/// `newlines` counts them, `blanks` those empty or holding "\r" alone (as scanRecords' test of a line).
/// One pass of byte compares the compiler vectorizes, instead of a memchr a line.
void countLines(const uint8_t* b, size_t p, size_t e, size_t& newlines, size_t& blanks) {
  // the first two lines' starts are p itself: their tests look before p
  size_t i = p;
  for (; i < e && i < p + 2; i++) {
    if (b[i] != '\n') continue;
    newlines++;
    blanks += i == p || b[i - 1] == '\n' || (i == p + 1 && b[p] == '\r');
  }
  // 16 byte lanes at a time, each lane's counts in a byte (at most 255 rows of 16 before they are summed)
  while (i + 16 <= e) {
    uint8_t n[16] = {}, blank[16] = {};
    const size_t rows = std::min<size_t>(255, (e - i) / 16);
    for (size_t r = 0; r < rows; r++, i += 16) {
      for (size_t k = 0; k < 16; k++) {
        const uint8_t nl = b[i + k] == '\n';
        n[k] += nl;
        blank[k] += nl & ((b[i + k - 1] == '\n') | ((b[i + k - 1] == '\r') & (b[i + k - 2] == '\n')));
      }
    }
    for (size_t k = 0; k < 16; k++) {
      newlines += n[k];
      blanks += blank[k];
    }
  }
  for (; i < e; i++) {
    const bool nl = b[i] == '\n';
    newlines += nl;
    blanks += nl && (b[i - 1] == '\n' || (b[i - 1] == '\r' && b[i - 2] == '\n'));
  }
}

}  // namespace

ScanResult scanRecords(const uint8_t* b, size_t size, size_t from, size_t to, uint8_t delimiter, bool final) {
  ScanResult r;
  r.start = from;
  size_t p = from;
  QuoteFinder quotes(b, size, p);
  while (p < to && p < size) {
    // the whole lines before the next '"' and before `to`, at once
    size_t e = quotes.firstBefore(std::min(to, size));
    while (e > p && b[e - 1] != '\n') e--;  // back to the last line's end (lines are short)
    if (e > p) {
      size_t lines = 0, blanks = 0;
      countLines(b, p, e, lines, blanks);
      r.records += lines - blanks;
      r.newlines += lines;
      p = e;
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
