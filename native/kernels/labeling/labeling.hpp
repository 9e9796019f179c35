// The labeling family's shared C++ (src/kernels/labeling/): the fault kinds and the data checks every
// kernel runs first (checks.cpp: src/backends/reference/labeling/checks.ts, check for check, in the
// same order), and the helpers two kernels share. The kernels themselves are declared by the
// generated header (generated/labeling.hpp) and defined one job a file beside it.
#pragma once

#include <cstddef>
#include <vector>

#include "generated/labeling.hpp"

namespace kernelbus::labeling {

/// What is wrong with an event time: an EventInvalid fault's previous (labeling-faults.ts EventFault).
enum class EventFault : int { T0NotABar = 0, T0NotIncreasing = 1, T1NotABar = 2, T1BeforeT0 = 3, T1Nan = 4, T0NotFinite = 5 };

/// Which input value is wrong: a LabelValueInvalid fault's previous (labeling-faults.ts ValueFault).
enum class ValueFault : int {
  CusumThreshold = 0,
  Side = 1,
  LeadingNan = 2,
  XInfinite = 3,
  HorizonThreshold = 4,
  Indicator = 5,
  CusumThresholdLength = 10,
  TargetLength = 11,
  T1Length = 12,
  SideLength = 13,
  HorizonThresholdLength = 14,
  FoldsCount = 20,
  IndicatorRows = 21,
};

inline Status eventFault(EventFault kind, size_t index, double time) {
  return Status{Fault::EventInvalid, static_cast<double>(index), time, static_cast<double>(kind)};
}

inline Status valueFault(ValueFault kind, size_t index, double value) {
  return Status{Fault::LabelValueInvalid, static_cast<double>(index), value, static_cast<double>(kind)};
}

/// Bar times: finite, strictly increasing.
Status checkTimes(const double* ts, size_t n);

/// An array of length n, or of length 1 (`orOne`) or 0 (else): the `kind` length fault otherwise.
Status checkLength(size_t length, size_t n, ValueFault kind, bool orOne);

/// The first position at or after `from` whose time is >= t (n when none, and for NaN).
size_t firstAtOrAfter(const double* ts, size_t n, double t, size_t from = 0);

/// The position of time t in the sorted ts at or after `from`, or -1 when it is not a bar time.
long barAt(const double* ts, size_t n, double t, size_t from = 0);

/// The events' starts as bar positions: each a time of ts, strictly increasing.
Status eventStarts(const double* ts, size_t n, const double* t0, size_t m, std::vector<size_t>& at);

/// The bar of event i's end t: a time of ts at or after its start bar (searched from there), else the fault.
Status endAt(const double* ts, size_t n, size_t start, double t, size_t i, size_t& at);

/// What a NaN end is: open to the last bar, refused (the T1Nan fault), or no end (kNoEnd).
enum class NanEnd { Open, Refuse, None };
constexpr size_t kNoEnd = static_cast<size_t>(-1);

/// The events' ends as bar positions, at or after their start (each searched from it); a NaN t1 as `nan` says.
Status eventEnds(const double* ts, size_t n, const std::vector<size_t>& starts, const double* t1, NanEnd nan, std::vector<size_t>& at);

/// The events spanning each bar, into counts[0..n).
void countConcurrent(const std::vector<size_t>& starts, const std::vector<size_t>& ends, size_t n, double* counts);

/// Each event's mean of 1 / concurrency over its bars, into out[0..m).
void averageUniquenessInto(size_t n, const std::vector<size_t>& starts, const std::vector<size_t>& ends, double* out);

/// get_weights_ffd's weights, oldest lag first (labeling.ts fracDiffWeights).
std::vector<double> fracDiffWeights(double d, double threshold, size_t limit);

}  // namespace kernelbus::labeling
