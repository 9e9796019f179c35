// The indicators' shapes (src/backends/reference/indicators/columns.ts): a panel column by column,
// each the series call on that column, after python talib's rule for leading NaNs. The series
// functions (series.hpp) fill all of their n outputs: NaN over TA-Lib's lookback.
#pragma once
#include <array>
#include <cmath>
#include <cstddef>
#include <memory>
#include <type_traits>

#include "lanes.hpp"
#include "memory.hpp"
#include "parallel.hpp"

namespace kernelbus::indicators {

/// TA-Lib's TA_IS_ZERO: |v| below TA_EPSILON (1e-14); false for NaN.
inline bool isZero(double v) { return -1e-14 < v && v < 1e-14; }

/// Working memory of n doubles left uninitialised (every value is written before it is read): no
/// pass that zeroes it, as TA-Lib's malloc'd buffers.
inline std::unique_ptr<double[]> scratch(size_t n) { return std::unique_ptr<double[]>(new double[n]); }

/// NaN into out[from, to).
inline void fillNaN(double* out, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) out[i] = NAN;
}

/// The first row from which every input is a number in column c (python talib's check_begidx); rows if none.
template <size_t In>
size_t firstRow(const std::array<const double*, In>& inputs, size_t rows, size_t cols, size_t c) {
  for (size_t t = 0; t < rows; t++) {
    bool ok = true;
    for (const double* x : inputs) ok = ok && x[t * cols + c] == x[t * cols + c];
    if (ok) return t;
  }
  return rows;
}

/// Columns a panel's worker takes at once (a row's values of a block: two cache lines).
constexpr size_t kColumnBlock = lanes::kLanes;

/// Blocks a worker takes at a time (handed out as they finish, so that a thread the machine holds
/// up leaves its blocks to the others).
constexpr size_t kBlocksPerChunk = 4;

/// The absent lane function of an indicator: its panel is computed column by column.
struct NoLanes {};

/// `series(ins, n, outs)` over each column of the rows x cols inputs into the outputs (each rows x
/// cols): a column's leading rows with a NaN input are NaN and the series starts after them. One
/// column is read in place; a panel's columns are shared between threads in blocks of kColumnBlock.
/// A block whose columns all start on one row is computed in place by `lanes(ins, stride, n, outs)`
/// where the indicator has one (lanes.hpp: the series' operations, the columns side by side);
/// another is gathered into contiguous series (row by row: whole cache lines), each column computed
/// whole.
template <size_t In, size_t Out, typename Series, typename Lanes = NoLanes>
void perColumn(const std::array<const double*, In>& inputs, size_t rows, size_t cols, const std::array<double*, Out>& outputs,
               Series&& series, Lanes&& lanes = {}) {
  // a large output onto 2 MB pages before the first write (memory.hpp): the API allocates it
  // uninitialised (src/kernels/indicators/indicators.ts freshOutput), and where the system hands out
  // new memory for it, 512 times fewer page faults
  for (double* o : outputs) adviseHugePages(o, rows * cols * sizeof(double));
  if (cols == 1) {
    const size_t begin = firstRow(inputs, rows, 1, 0);
    std::array<const double*, In> ins;
    std::array<double*, Out> outs;
    for (size_t k = 0; k < In; k++) ins[k] = inputs[k] + begin;
    for (size_t k = 0; k < Out; k++) {
      fillNaN(outputs[k], 0, begin);
      outs[k] = outputs[k] + begin;
    }
    series(ins, rows - begin, outs);
    return;
  }
  const size_t blocks = (cols + kColumnBlock - 1) / kColumnBlock;
  parallelForChunks(blocks, kBlocksPerChunk, [&](size_t firstBlock, size_t lastBlock) {
    // a gathered block's series: input k of column b at (k * B + b) * rows, output k after the inputs
    // (B: the block's width, fewer for a panel narrower than a block); allocated when first needed
    const size_t width = cols < kColumnBlock ? cols : kColumnBlock;
    std::unique_ptr<double[]> buffer;
    auto at = [&](size_t k, size_t b) { return buffer.get() + (k * width + b) * rows; };
    for (size_t block = firstBlock; block < lastBlock; block++) {
      const size_t c0 = block * kColumnBlock;
      const size_t used = cols - c0 < width ? cols - c0 : width;
      if constexpr (!std::is_same_v<std::decay_t<Lanes>, NoLanes>) {
        // the row all the block's columns start on, or rows + 1 when they differ
        size_t begin = used < kColumnBlock ? rows + 1 : firstRow(inputs, rows, cols, c0);
        for (size_t b = 1; b < used && begin <= rows; b++)
          if (firstRow(inputs, rows, cols, c0 + b) != begin) begin = rows + 1;
        if (begin <= rows) {
          std::array<const double*, In> ins;
          std::array<double*, Out> outs;
          for (size_t k = 0; k < In; k++) ins[k] = inputs[k] + begin * cols + c0;
          for (size_t k = 0; k < Out; k++) {
            for (size_t t = 0; t < begin; t++) fillNaN(outputs[k] + t * cols + c0, 0, kColumnBlock);
            outs[k] = outputs[k] + begin * cols + c0;
          }
          lanes(ins, cols, rows - begin, outs);
          continue;
        }
      }
      if (!buffer) buffer = scratch((In + Out) * width * rows);
      for (size_t k = 0; k < In; k++) {
        for (size_t t = 0; t < rows; t++) {
          const double* row = inputs[k] + t * cols + c0;
          for (size_t b = 0; b < used; b++) at(k, b)[t] = row[b];
        }
      }
      for (size_t b = 0; b < used; b++) {
        std::array<const double*, In> ins;
        std::array<double*, Out> outs;
        std::array<const double*, In> whole;
        for (size_t k = 0; k < In; k++) whole[k] = at(k, b);
        const size_t begin = firstRow(whole, rows, 1, 0);
        for (size_t k = 0; k < In; k++) ins[k] = whole[k] + begin;
        for (size_t k = 0; k < Out; k++) {
          double* o = at(In + k, b);
          fillNaN(o, 0, begin);
          outs[k] = o + begin;
        }
        series(ins, rows - begin, outs);
      }
      for (size_t k = 0; k < Out; k++) {
        for (size_t t = 0; t < rows; t++) {
          double* row = outputs[k] + t * cols + c0;
          for (size_t b = 0; b < used; b++) row[b] = at(In + k, b)[t];
        }
      }
    }
  });
}

}  // namespace kernelbus::indicators
