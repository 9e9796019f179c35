// A record argument: a struct an entry takes whole (entry.hpp), made of counts (size_t) and
// Float64Arrays read (In), which JS has as one object of the same fields (the portfolio family's
// ProblemStack and ResolvedConstraints, src/kernels/portfolio/portfolio.ts) and passes to the addon as
// consecutive arguments. RecordFields<R> names each field as JS spells it, in the order of those
// arguments (native/binding/entry.h, which exports the order as the entry's `records`), and an entry
// names a field in an ArgFault by the same name. Plain C++17, no N-API.
#pragma once

#include <tuple>
#include <type_traits>

namespace kernelbus {

/// One field of record R: its name in JS and its member.
template <typename R, typename T>
struct Field {
  const char* name;
  T R::*member;
};

/// The fields of record R: `static constexpr auto fields = std::make_tuple(Field<R, In>{"mean", &R::mean}, ...)`.
template <typename R>
struct RecordFields;

/// Whether T is a record (has RecordFields).
template <typename T, typename = void>
struct IsRecord : std::false_type {};
template <typename T>
struct IsRecord<T, std::void_t<decltype(RecordFields<T>::fields)>> : std::true_type {};

}  // namespace kernelbus
