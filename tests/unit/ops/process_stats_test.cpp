// Tests that this process's figures are read from /proc and make sense.
#include "ops/process_stats.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>

#include <gtest/gtest.h>

namespace wshub {
namespace {

TEST(ProcessStats, ReadsMemoryCpuAndStartTime) {
  auto const stats = read_process_stats();
  EXPECT_GT(stats.resident_memory_bytes, 1024 * 1024);
  EXPECT_GT(stats.virtual_memory_bytes, stats.resident_memory_bytes);
  EXPECT_GE(stats.cpu_seconds, 0);
  auto const now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(stats.start_time_seconds, now + 1);
  EXPECT_GT(stats.start_time_seconds, now - 3600) << "this test process started within the hour";
  EXPECT_GE(stats.max_fds, stats.open_fds);
}

TEST(ProcessStats, CountsOpenFileDescriptors) {
  auto const before = read_process_stats().open_fds;
  int const opened = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(opened, 0);
  EXPECT_EQ(read_process_stats().open_fds, before + 1);
  ::close(opened);
  EXPECT_EQ(read_process_stats().open_fds, before);
}

}  // namespace
}  // namespace wshub
