// The fuzz targets' invariant check: a broken invariant aborts, so that libFuzzer keeps the input that broke it.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace wshub::fuzzing {

// Unlike assert, active in every build type.
inline void check(bool holds, char const* invariant) {
  if (holds) return;
  std::fprintf(stderr, "broken invariant: %s\n", invariant);
  std::abort();
}

}  // namespace wshub::fuzzing
