// Tests the sharded counters and their Prometheus text.
#include "ops/metrics.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ops/metrics_exposition.hpp"

namespace wshub {
namespace {

TEST(Metrics, SumsWhatEveryThreadAdds) {
  Metrics metrics;
  std::vector<std::jthread> threads;
  for (int t = 0; t < 20; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 1000; ++i) metrics.add(Counter::messages_received);
      metrics.add(Counter::message_bytes_received, 5);
    });
  }
  threads.clear();  // joins
  EXPECT_EQ(metrics.total(Counter::messages_received), 20'000U);
  EXPECT_EQ(metrics.total(Counter::message_bytes_received), 100U);
  EXPECT_EQ(metrics.total(Counter::broadcasts), 0U);
}

TEST(MetricsExposition, NamesEveryFamilyOnceWithLabelsAndGauges) {
  Metrics metrics;
  metrics.add(Counter::connections_over_limit, 3);
  metrics.add(Counter::disconnects_idle_timeout);
  auto const text =
      prometheus_exposition(metrics, {.connected_clients = 7, .shutting_down = true, .redis_connected = true},
                            {.resident_memory_bytes = 4096, .open_fds = 9});
  EXPECT_NE(text.find("# TYPE wshub_connections_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("wshub_connections_total{outcome=\"over_limit\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("wshub_connections_total{outcome=\"accepted\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("wshub_disconnects_total{reason=\"idle_timeout\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("\nwshub_connected_clients 7\n"), std::string::npos);
  EXPECT_NE(text.find("\nwshub_shutdown_in_progress 1\n"), std::string::npos);
  EXPECT_NE(text.find("\nwshub_redis_connected 1\n"), std::string::npos);
  EXPECT_NE(text.find("\nprocess_resident_memory_bytes 4096\n"), std::string::npos);
  EXPECT_NE(text.find("\nprocess_open_fds 9\n"), std::string::npos);
  std::size_t heads = 0;
  for (auto at = text.find("# TYPE wshub_connections_total"); at != std::string::npos;
       at = text.find("# TYPE wshub_connections_total", at + 1)) {
    ++heads;
  }
  EXPECT_EQ(heads, 1U);
  EXPECT_TRUE(text.ends_with("\n"));
}

}  // namespace
}  // namespace wshub
