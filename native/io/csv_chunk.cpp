// Pass 2 of the block parser (csv_chunk.hpp): a chunk's records into their rows.
#include "csv_chunk.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "csv_number.hpp"
#include "csv_scan.hpp"
#include "csv_time.hpp"
#include "memory.hpp"
#include "simd.hpp"

namespace kernelbus::csv {
namespace {

constexpr uint64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

/// A field as the general tokenizer read it.
struct Field {
  const uint8_t* value = nullptr;  // its text: in the block, or in a scratch string
  size_t length = 0;
  bool quoted = false;
  size_t rawEnd = 0;  // the end of its bytes as written (its terminator, less a dropped '\r')
  size_t end = 0;     // its terminator: the delimiter, the '\n', or the end of the input
};

/// A text field of the record, interned once the record is accepted.
struct PendingText {
  size_t column;
  const uint8_t* value;
  size_t length;
};

/// The widest header plainRecords() reads (its text fields kept on its stack); wider files take the general path.
constexpr size_t kPlainWidth = 1024;

/// Strided: some column is one of a row-major matrix (stride > 1, csv_returns.cpp); else every column
/// is contiguous, and its rows are written without the per-value load and multiply of the stride.
template <bool Strided>
class ChunkParser {
 public:
  ChunkParser(const uint8_t* bytes, size_t size, const Plan& plan, ChunkResult& result)
      : b_(bytes), size_(size), plan_(plan), delimiter_(plan.delimiter), result_(result), scratch_(plan.width + 1) {
    // The fast paths read a number to where fast_float stops: only sound when the delimiter cannot be
    // part of a number's text.
    fastNumbers_ = std::strchr("0123456789+-.eE", delimiter_) == nullptr || delimiter_ == 0;
    result_.dictionaries.resize(plan.width);
  }

  void run(const ChunkJob& job) {
    size_t p = job.begin;
    size_t row = job.row;
    line_ = job.line;
    // the counts in locals, stored once: result_ sits beside the other chunks' results, whose
    // dictionaries those threads read at every text field (a store a row here was false sharing: the
    // 8-symbol tape's read on two threads 1.1x one, 2026-12-05)
    size_t accepted = 0, bad = 0;
    size_t wait = 0, backoff = 0;  // records before plainRecords() is tried again, and the next wait
    while (p < job.end) {
      const uint8_t c = b_[p];
      if (c == '\n') {  // a blank line
        p++, line_++;
        continue;
      }
      if (c == '\r' && (p + 1 == size_ || b_[p + 1] == '\n')) {  // a blank line: only "\r"
        if (p + 1 == size_) break;
        p += 2, line_++;
        continue;
      }
      if (wait > 0) {
        wait--;
      } else if (const size_t plain = plainRecords(p, job.end, row); plain > 0) {
        row += plain, accepted += plain, line_ += static_cast<double>(plain);
        backoff = 0;
        continue;
      } else {  // tried again after 0, 1, 3, 7... records the general path read (a file quoted throughout: every 64th)
        wait = backoff;
        backoff = std::min<size_t>(2 * backoff + 1, 63);
      }
      const size_t start = p;
      const double startLine = line_;
      BlockFault fault;
      p = parseRecord(p, row, fault);
      if (!fault.any()) {
        row++, accepted++;
      } else if (plan_.skipBadRows) {
        if (bad++ == 0) result_.firstBad = fault;
      } else {
        result_.fault = fault;
        result_.faultRecord = start;
        result_.faultRecordLine = startLine;
        break;
      }
    }
    result_.accepted = accepted;
    result_.bad = bad;
  }

 private:
  /// Row `row` of double column `col`.
  double& number(size_t col, size_t row) const {
    if constexpr (Strided) return plan_.out[col].f64[row * plan_.out[col].stride];
    return plan_.out[col].f64[row];
  }

  bool isBlank(uint8_t c) const { return (c == ' ' || c == '\t') && c != delimiter_; }

  /// A field starting with c is read by plainField() (not quoted, not empty, no leading blank).
  bool plainStart(uint8_t c) const { return c != '"' && c != delimiter_ && c != '\n' && c != '\r' && !isBlank(c); }

  /// A field read by a fast path ends at q: the delimiter, a line break (CRLF's '\r' included) or the end.
  bool endsField(size_t q) const {
    if (q == size_) return true;
    const uint8_t c = b_[q];
    return c == delimiter_ || c == '\n' || (c == '\r' && (q + 1 == size_ || b_[q + 1] == '\n'));
  }

  /// An unquoted field at p (its first byte neither blank nor '"') to its terminator, and its text's end.
  size_t plainField(size_t p, size_t& textEnd) const {
    const size_t start = p;
    while (p < size_ && b_[p] != delimiter_ && b_[p] != '\n') p++;
    size_t e = p;
    if ((p == size_ || b_[p] == '\n') && e > start && b_[e - 1] == '\r') e--;
    while (e > start && isBlank(b_[e - 1])) e--;
    textEnd = e;
    return p;
  }

  /// The field of header column `col` at p read without the tokenizer, when it is plain: an unquoted
  /// number or integer time ending where the parse stops, or an unquoted text or skipped field. True
  /// with p at its terminator; false (nothing written) for the general path. Always inlined, in
  /// plainRecords() and in parseRecord() (a call a field made the general path 5-10 % slower).
  KERNELBUS_VECTOR_BODY bool fastField(size_t col, size_t row, size_t& p) {
    if (p >= size_) return false;
    const uint8_t c = b_[p];
    const Kind kind = static_cast<Kind>(plan_.kinds[col]);
    switch (kind) {
      case Kind::Number: {
        if (!fastNumbers_ || !(isDigit(c) || c == '-' || c == '.')) return false;
        double v;
        // a short decimal, negative too (returns); the rest through fast_float, which reads the sign itself
        const bool minus = c == '-' && p + 1 < size_ && isDigit(b_[p + 1]);
        const uint8_t* t = isDigit(c) || minus ? parseShortDecimal(b_ + p + minus, b_ + size_, v) : nullptr;
        if (t != nullptr && minus) v = -v;
        if (t == nullptr) t = parseDecimalPrefix(b_ + p, b_ + size_, v);
        if (t == nullptr || !endsField(static_cast<size_t>(t - b_))) return false;
        number(col, row) = v;
        p = static_cast<size_t>(t - b_);
        return true;
      }
      case Kind::TimeS:
      case Kind::TimeMs:
      case Kind::TimeUs:
      case Kind::TimeNs: {
        if (!fastNumbers_ || !isDigit(c)) return false;
        uint64_t v = 0;
        const size_t q = static_cast<size_t>(readDigits(b_ + p, b_ + size_, 19, v) - b_);
        if (!endsField(q)) return false;
        const size_t n = q - p;
        double t;
        if (kind == Kind::TimeS || kind == Kind::TimeMs) {
          if (n > 15) return false;  // exact below 10^15: Number() of the text
          t = kind == Kind::TimeS ? static_cast<double>(v) * 1000 : static_cast<double>(v);
        } else {
          const size_t k = kind == Kind::TimeUs ? 3 : 6;
          if (n > k) {
            if (n - k > 15) return false;
            t = static_cast<double>(v / kPow10Int[k]) + static_cast<double>(v % kPow10Int[k]) / kPow10[k];
          } else {
            t = static_cast<double>(v) / kPow10[k];
          }
        }
        number(col, row) = t;
        p = q;
        return true;
      }
      case Kind::Text:
      case Kind::Skip: {
        if (!plainStart(c)) return false;
        size_t e;
        const size_t q = plainField(p, e);
        if (kind == Kind::Text) texts_.push_back(PendingText{col, b_ + p, e - p});
        p = q;
        return true;
      }
    }
    return false;
  }

  /// Counts the '\n' bytes of [from, to) into the line and its start.
  void crossLines(size_t from, size_t to) {
    const size_t n = countNewlines(b_ + from, b_ + to);
    if (n == 0) return;
    line_ += static_cast<double>(n);
    const void* last = nullptr;
    for (size_t i = to; i > from; i--) {
      if (b_[i - 1] == '\n') {
        last = b_ + i - 1;
        break;
      }
    }
    lineStart_ = static_cast<size_t>(static_cast<const uint8_t*>(last) - b_) + 1;
  }

  /// The general tokenizer: the field of record position `col` at p. `keep`: assemble its text (else
  /// only its extent is found). False for a quoted field without its closing quote (`fault` filled).
  bool tokenize(size_t col, size_t p, bool keep, Field& f, BlockFault& fault) {
    while (p < size_ && isBlank(b_[p])) p++;
    if (p < size_ && b_[p] == '"') {
      const size_t quote = p;
      const double quoteLine = line_;
      const size_t quoteLineStart = lineStart_;
      const size_t contentStart = ++p;
      size_t contentEnd;
      bool escaped = false;
      for (;;) {
        const void* q = std::memchr(b_ + p, '"', size_ - p);
        if (q == nullptr) {
          fault.code = CsvFault::UnclosedQuote;
          fault.line = quoteLine;
          fault.column = static_cast<double>(quote - quoteLineStart + 1);
          fault.field = col;
          fault.textBegin = quote;
          fault.textEnd = std::min(size_, quote + kFaultTextBytes);
          return false;
        }
        const size_t at = static_cast<size_t>(static_cast<const uint8_t*>(q) - b_);
        crossLines(p, at);
        if (at + 1 < size_ && b_[at + 1] == '"') {
          escaped = true;
          p = at + 2;
          continue;
        }
        contentEnd = at;
        p = at + 1;
        break;
      }
      // bytes after the closing quote, to the delimiter or the record's end, appended as they are
      const size_t after = p;
      while (p < size_ && b_[p] != delimiter_ && b_[p] != '\n') p++;
      size_t e = p;
      if ((p == size_ || b_[p] == '\n') && e > after && b_[e - 1] == '\r') e--;
      f.rawEnd = e;
      while (e > after && isBlank(b_[e - 1])) e--;
      f.quoted = true;
      f.end = p;
      if (!escaped && e == after) {
        f.value = b_ + contentStart;
        f.length = contentEnd - contentStart;
      } else if (keep) {
        std::string& s = scratch_[std::min(col, plan_.width)];
        s.clear();
        for (size_t i = contentStart; i < contentEnd; i++) {
          s.push_back(static_cast<char>(b_[i]));
          if (b_[i] == '"') i++;  // "" inside: one quote
        }
        s.append(reinterpret_cast<const char*>(b_ + after), e - after);
        f.value = reinterpret_cast<const uint8_t*>(s.data());
        f.length = s.size();
      }
      return true;
    }
    const size_t start = p;
    while (p < size_ && b_[p] != delimiter_ && b_[p] != '\n') p++;
    size_t e = p;
    if ((p == size_ || b_[p] == '\n') && e > start && b_[e - 1] == '\r') e--;
    f.rawEnd = e;
    while (e > start && isBlank(b_[e - 1])) e--;
    f.quoted = false;
    f.value = b_ + start;
    f.length = e - start;
    f.end = p;
    return true;
  }

  /// Converts a tokenized field of header column `col` into row `row`, or refuses it into `fault`.
  void convert(size_t col, size_t row, const Field& f, size_t fieldStart, double fieldLine, size_t fieldLineStart, BlockFault& fault) {
    const Kind kind = static_cast<Kind>(plan_.kinds[col]);
    if (kind == Kind::Skip) return;
    auto refuse = [&](CsvFault code) {
      fault.code = code;
      fault.line = fieldLine;
      fault.column = static_cast<double>(fieldStart - fieldLineStart + 1);
      fault.field = col;
      fault.textBegin = fieldStart;
      fault.textEnd = std::min(f.rawEnd, fieldStart + kFaultTextBytes);
    };
    const bool emptyUnquoted = !f.quoted && f.length == 0;
    if (kind == Kind::Text) {
      if (!emptyUnquoted) {
        texts_.push_back(PendingText{col, f.value, f.length});
      } else if (plan_.required[col]) {
        refuse(CsvFault::Missing);
      } else {
        plan_.out[col].i32[row] = -1;
      }
      return;
    }
    const uint8_t* v = f.value;
    if (emptyUnquoted || isMissingToken(v, v + f.length)) {
      if (plan_.required[col]) {
        refuse(CsvFault::Missing);
      } else {
        number(col, row) = std::numeric_limits<double>::quiet_NaN();
      }
      return;
    }
    double x;
    if (kind == Kind::Number ? parseNumber(v, v + f.length, x) : parseTime(v, v + f.length, kind, x)) {
      number(col, row) = x;
    } else {
      refuse(kind == Kind::Number ? CsvFault::NotANumber : CsvFault::BadTime);
    }
  }

  /// Parses the record at p (a line that is not blank) into row `row`, or refuses it into `fault`.
  /// Returns the position after it.
  size_t parseRecord(size_t p, size_t row, BlockFault& fault) {
    const size_t recordStart = p;
    const double recordLine = line_;
    lineStart_ = p;
    texts_.clear();
    BlockFault fieldFault;  // the first field refused (a wrong width, found later, comes first)
    size_t col = 0;
    for (;; col++) {
      const size_t fieldStart = p;
      const bool inHeader = col < plan_.width;
      if (!(inHeader ? fastField(col, row, p) : fastSkip(p))) {
        const double fieldLine = line_;
        const size_t fieldLineStart = lineStart_;
        Field f;
        if (!tokenize(col, p, inHeader && !fieldFault.any(), f, fault)) return size_;
        if (inHeader && !fieldFault.any()) convert(col, row, f, fieldStart, fieldLine, fieldLineStart, fieldFault);
        p = f.end;
      }
      if (p < size_ && b_[p] == delimiter_) {
        p++;
        continue;
      }
      break;
    }
    // the record's end: p is at its '\n' (or a CRLF's '\r') or the end of the input
    size_t contentEnd = p, next = size_;
    if (p < size_) {
      if (b_[p] == '\r') {
        next = p + 1 < size_ ? p + 2 : size_;
      } else {
        next = p + 1;
        if (p > recordStart && b_[p - 1] == '\r') contentEnd = p - 1;
      }
      if (next <= size_ && b_[next - 1] == '\n') line_++;
    } else if (p > recordStart && b_[p - 1] == '\r') {
      contentEnd = p - 1;
    }
    const size_t fields = col + 1;
    if (fields != plan_.width) {
      fault.code = CsvFault::Width;
      fault.line = recordLine;
      fault.column = 1;
      fault.field = fields;
      fault.textBegin = recordStart;
      fault.textEnd = std::min(contentEnd, recordStart + kFaultTextBytes);
      return next;
    }
    if (fieldFault.any()) {
      fault = fieldFault;
      return next;
    }
    intern(texts_.data(), texts_.size(), row);
    return next;
  }

  /// Records from `at` (starting before `end`) that the fast paths read whole, each ending with '\n' or
  /// "\r\n" after its header's width, into rows from `row`: how many, `at` after them. Stops at the first
  /// other record (a blank line, a quote, a field the fast paths leave, an end of input without a line
  /// break), which run() reads as before. What it wrote of a record it stopped in, parseRecord() writes
  /// again. A loop of its own, with numbers and ms times inline (the 10^7-trade tape's pass 2 on one
  /// thread 358 -> 293 ms, C++, 2026-12-05): inlined into parseRecord()'s, the registers ran out.
  KERNELBUS_NOINLINE size_t plainRecords(size_t& at, size_t end, size_t row) {
    if (!fastNumbers_ || plan_.width == 0 || plan_.width > kPlainWidth) return 0;
    const uint8_t* const b = b_;
    const size_t size = size_, width = plan_.width;
    const uint8_t* const kinds = plan_.kinds;
    const uint8_t delimiter = delimiter_;
    size_t p = at, n = 0;
    PendingText texts[kPlainWidth];
    while (p < end) {
      prefetchSpan(b + p + kPrefetchAhead, 1);
      size_t q = p, pending = 0;
      for (size_t col = 0;; col++) {
        if (q == size) goto done;
        const uint8_t kind = kinds[col];
        if (kind == static_cast<uint8_t>(Kind::Number) && isDigit(b[q])) {
          double v;
          const uint8_t* t = parseShortDecimal(b + q, b + size, v);
          if (t == nullptr) goto done;
          q = static_cast<size_t>(t - b);
          number(col, row + n) = v;
        } else if (kind == static_cast<uint8_t>(Kind::TimeMs) && isDigit(b[q])) {
          uint64_t v = 0;
          const size_t t = static_cast<size_t>(readDigits(b + q, b + size, 19, v) - b);
          // an integer exact below 10^15 (fastField()) ending the field; else ISO 8601 or a decimal
          if (t - q <= 15 && endsField(t)) {
            q = t;
            number(col, row + n) = static_cast<double>(v);
          } else if (!plainTime(col, row + n, q)) {
            goto done;
          }
        } else if (kind == static_cast<uint8_t>(Kind::Text) && plainStart(b[q])) {
          size_t e;
          const size_t t = plainField(q, e);
          texts[pending++] = PendingText{col, b + q, e - q};
          q = t;
        } else if (!fastField(col, row + n, q) && !plainTime(col, row + n, q)) {
          goto done;
        }
        if (q == size) goto done;
        const uint8_t c = b[q];
        if (col + 1 < width) {
          if (c != delimiter) goto done;
          q++;
          continue;
        }
        if (c == '\n') {
          q++;
        } else if (c == '\r' && q + 1 < size && b[q + 1] == '\n') {
          q += 2;
        } else {
          goto done;
        }
        break;
      }
      intern(texts, pending, row + n);
      p = q, n++;
    }
  done:
    at = p;
    return n;
  }

  /// The text fields of an accepted record into row `row`: their dictionary codes, in field order.
  void intern(const PendingText* texts, size_t count, size_t row) {
    for (size_t i = 0; i < count; i++) {
      const PendingText& t = texts[i];
      plan_.out[t.column].i32[row] = result_.dictionaries[t.column].internText(t.value, t.value + t.length, utf8_);
    }
  }

  /// A time field fastField() leaves (ISO 8601, a decimal) when unquoted and not missing: parseTime() of
  /// the text tokenize() would give it, into row `row`; true with p at its terminator. Else false.
  bool plainTime(size_t col, size_t row, size_t& p) {
    const Kind kind = static_cast<Kind>(plan_.kinds[col]);
    if (kind < Kind::TimeS || kind > Kind::TimeNs || p == size_ || !plainStart(b_[p])) return false;
    size_t e;
    const size_t q = plainField(p, e);
    double x;
    if (!parseTime(b_ + p, b_ + e, kind, x)) return false;  // (a missing token is not a time: the general path's)
    number(col, row) = x;
    p = q;
    return true;
  }

  /// A field beyond the header's width, when unquoted: to its terminator.
  bool fastSkip(size_t& p) const {
    if (p >= size_) return false;
    const uint8_t c = b_[p];
    if (c == '"' || isBlank(c)) return false;
    while (p < size_ && b_[p] != delimiter_ && b_[p] != '\n') p++;
    return true;
  }

  const uint8_t* b_;
  size_t size_;
  const Plan& plan_;
  uint8_t delimiter_;
  ChunkResult& result_;
  bool fastNumbers_;
  double line_ = 1;
  size_t lineStart_ = 0;
  std::vector<std::string> scratch_;  // per header column (and one for the fields beyond): assembled text
  std::string utf8_;                  // a text value's decoding
  std::vector<PendingText> texts_;
};

}  // namespace

void parseChunk(const uint8_t* bytes, size_t size, const Plan& plan, const ChunkJob& job, ChunkResult& result) {
  bool strided = false;
  for (size_t col = 0; col < plan.width; col++) strided = strided || (plan.out[col].f64 != nullptr && plan.out[col].stride != 1);
  if (strided) {
    ChunkParser<true>(bytes, size, plan, result).run(job);
  } else {
    ChunkParser<false>(bytes, size, plan, result).run(job);
  }
}

}  // namespace kernelbus::csv
