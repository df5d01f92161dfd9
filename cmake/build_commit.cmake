# Writes generated/build_commit.hpp with the git commit the sources are at, or "unknown" outside a git checkout
# or without git. Run by the build on every build (cmake -P); the file is rewritten only when the commit changed,
# so a new HEAD recompiles the few files that show it and nothing else.
#   cmake -DSOURCE_DIR=... -DOUTPUT=... [-DGIT=/usr/bin/git] -P build_commit.cmake
set(commit "unknown")
if(GIT)
  execute_process(COMMAND "${GIT}" -C "${SOURCE_DIR}" rev-parse --show-toplevel --short=12 HEAD
                  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(result EQUAL 0)
    string(REPLACE "\n" ";" lines "${output}")
    list(GET lines 0 top_level)
    list(GET lines 1 head)
    # Sources unpacked inside some other git checkout must not claim that checkout's commit.
    file(REAL_PATH "${top_level}" top_level)
    file(REAL_PATH "${SOURCE_DIR}" source_dir)
    if(top_level STREQUAL source_dir)
      set(commit "${head}")
    endif()
  endif()
endif()
file(CONFIGURE OUTPUT "${OUTPUT}" @ONLY CONTENT [[
// The git commit this build was made from (cmake/build_commit.cmake), or "unknown".
#pragma once

namespace wshub {
inline constexpr char const* build_commit = "@commit@";
}  // namespace wshub
]])
