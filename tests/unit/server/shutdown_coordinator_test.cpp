// Tests the shutdown coordinator's phases and timing with fake clients and a fake server, no sockets.
#include "server/shutdown_coordinator.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace wshub {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Every handler the coordinator gives out must name where it runs (its strand): the hub and the server answer from
// any thread. The fakes answer as the real ones do, posted, never inside the call.
void answer(Completion<void()> done) {
  EXPECT_TRUE(done.executor()) << "a coordinator's handler names no executor";
  complete_posted(asio::system_executor(), std::move(done));
}

class FakeClients final : public DrainableClients {
 public:
  explicit FakeClients(std::size_t count) : count_(count) {}

  void stop_admitting() override { admitting = false; }
  std::size_t client_count() const override { return count_; }
  void close_all(CloseCode code, std::string_view reason) override {
    closes.emplace_back(code, std::string(reason));
    if (leave_when_closed) all_leave();
  }
  void when_empty(Completion<void()> on_empty) override {
    if (count_ == 0) return answer(std::move(on_empty));
    on_empty_ = std::move(on_empty);
  }
  void leave_cluster(Completion<void()> done) override {
    ++cluster_leaves;
    on_left_cluster_ = std::move(done);
    if (cluster_answers) left_cluster();
  }

  void left_cluster() {
    left_cluster_at = Clock::now();
    if (on_left_cluster_) answer(*std::exchange(on_left_cluster_, std::nullopt));
  }

  void all_leave() {
    count_ = 0;
    left_at = Clock::now();
    if (on_empty_) answer(*std::exchange(on_empty_, std::nullopt));
  }

  bool admitting = true;
  bool leave_when_closed = true;
  bool cluster_answers = true;
  int cluster_leaves = 0;
  Clock::time_point left_at;
  Clock::time_point left_cluster_at;
  std::vector<std::pair<CloseCode, std::string>> closes;

 private:
  std::size_t count_;
  std::optional<Completion<void()>> on_empty_;
  std::optional<Completion<void()>> on_left_cluster_;
};

class FakeServer final : public StoppableServer {
 public:
  void stop(Completion<void()> on_stopped) override {
    ++stops;
    if (finishes_requests) answer(std::move(on_stopped));
  }
  int stops = 0;
  bool finishes_requests = true;
};

// Records log lines so that a test can react to progress lines as they are written.
class RecordingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines;
  std::function<void(std::string const&)> on_line;

 protected:
  void sink_it_(spdlog::details::log_msg const& message) override {
    lines.emplace_back(message.payload.data(), message.payload.size());
    if (on_line) on_line(lines.back());
  }
  void flush_() override {}
};

class ShutdownCoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sink_ = std::make_shared<RecordingSink>();
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink_));
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  // Sends the given signals, runs until the coordinator finishes (or 10 s pass), returns the time it took.
  Clock::duration shut_down(ShutdownOptions const& options, int signals = 1) {
    ShutdownCoordinator coordinator(io_.get_executor(), clients_, server_, options, [this] {
      finished_at_ = Clock::now();
      io_.stop();
    });
    signalled_at_ = Clock::now();
    for (int i = 0; i < signals; ++i) coordinator.on_signal("SIGTERM");
    io_.run_for(10s);
    return finished_at_ - signalled_at_;
  }

  bool finished() const { return finished_at_ != Clock::time_point{}; }

  std::size_t lines_containing(std::string_view text) const {
    return std::ranges::count_if(sink_->lines, [text](auto const& line) { return line.find(text) != line.npos; });
  }

  asio::io_context io_;
  FakeClients clients_{2};
  FakeServer server_;
  std::shared_ptr<RecordingSink> sink_;
  std::shared_ptr<spdlog::logger> previous_;
  Clock::time_point signalled_at_;
  Clock::time_point finished_at_;
};

// "At once" means no polling interval and no timer in the way. The chain of posts takes microseconds; the
// margin is for a loaded CI machine that runs sanitizer builds side by side.
constexpr auto at_once = 100ms;

TEST_F(ShutdownCoordinatorTest, WithNoClientsItStopsAtOnce) {
  clients_.all_leave();
  auto const took = shut_down({.forced_shutdown_after = Seconds(60)});
  EXPECT_TRUE(finished());
  EXPECT_FALSE(clients_.admitting);
  EXPECT_TRUE(clients_.closes.empty());
  EXPECT_EQ(server_.stops, 1);
  EXPECT_EQ(clients_.cluster_leaves, 1);
  EXPECT_LT(took, at_once);
}

TEST_F(ShutdownCoordinatorTest, ProceedsTheMomentTheLastClientLeaves) {
  asio::steady_timer leave_later(io_, 200ms);
  leave_later.async_wait([this](error_code) { clients_.all_leave(); });
  shut_down({.forced_shutdown_after = Seconds(60)});
  EXPECT_TRUE(finished());
  EXPECT_TRUE(clients_.closes.empty()) << "nobody is forced when everyone leaves in time";
  EXPECT_GE(finished_at_, clients_.left_at);
  EXPECT_LT(finished_at_ - clients_.left_at, at_once);
}

TEST_F(ShutdownCoordinatorTest, ForcesTheRemainingClientsAtTheDeadline) {
  auto const took = shut_down({.forced_shutdown_after = Seconds(0.3)});
  EXPECT_TRUE(finished());
  ASSERT_EQ(clients_.closes.size(), 1U);
  EXPECT_EQ(clients_.closes.front().first, CloseCode::going_away);
  EXPECT_EQ(clients_.closes.front().second, "server shutting down");
  EXPECT_GE(took, 300ms);
  EXPECT_EQ(server_.stops, 1);
}

TEST_F(ShutdownCoordinatorTest, AZeroDeadlineClosesEveryoneAtOnce) {
  auto const took = shut_down({.forced_shutdown_after = Seconds(0)});
  EXPECT_TRUE(finished());
  EXPECT_EQ(clients_.closes.size(), 1U);
  EXPECT_LT(took, at_once);
}

TEST_F(ShutdownCoordinatorTest, ASecondSignalSkipsTheWait) {
  auto const took = shut_down({.forced_shutdown_after = Seconds(60)}, 2);
  EXPECT_TRUE(finished());
  EXPECT_EQ(clients_.closes.size(), 1U);
  EXPECT_LT(took, at_once);
  EXPECT_EQ(lines_containing("second signal SIGTERM"), 1U);
}

TEST_F(ShutdownCoordinatorTest, ClientsThatNeverAnswerTheCloseAreWaitedForOnlyABoundedTime) {
  clients_.leave_when_closed = false;
  auto const took = shut_down({.forced_shutdown_after = Seconds(0), .close_timeout = Seconds(0.2)});
  EXPECT_TRUE(finished());
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 5s);
  EXPECT_EQ(lines_containing("did not finish the close handshake"), 1U);
}

TEST_F(ShutdownCoordinatorTest, AThirdSignalSkipsTheWaitForCloseHandshakes) {
  clients_.leave_when_closed = false;
  auto const took = shut_down({.forced_shutdown_after = Seconds(60), .close_timeout = Seconds(60)}, 3);
  EXPECT_TRUE(finished());
  EXPECT_EQ(clients_.closes.size(), 1U);
  EXPECT_LT(took, at_once);
  EXPECT_EQ(lines_containing("not waiting for close handshakes"), 1U);
}

TEST_F(ShutdownCoordinatorTest, RequestsThatNeverFinishAreWaitedForOnlyABoundedTime) {
  clients_.all_leave();
  server_.finishes_requests = false;
  auto const took = shut_down({.forced_shutdown_after = Seconds(60), .http_drain_timeout = Seconds(0.2)});
  EXPECT_TRUE(finished());
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 5s);
}

TEST_F(ShutdownCoordinatorTest, LeavesTheClusterOnceTheClientsAreGoneAndFinishesWhenTheClusterKnows) {
  clients_.cluster_answers = false;
  asio::steady_timer cluster_answers_later(io_, 200ms);
  cluster_answers_later.async_wait([this](error_code) {
    EXPECT_EQ(clients_.cluster_leaves, 1) << "left the cluster as the server stopped, not after it";
    clients_.left_cluster();
  });
  clients_.all_leave();
  shut_down({.forced_shutdown_after = Seconds(60)});
  EXPECT_TRUE(finished());
  EXPECT_EQ(server_.stops, 1);
  EXPECT_GE(finished_at_, clients_.left_cluster_at);
}

TEST_F(ShutdownCoordinatorTest, AClusterThatNeverAnswersIsWaitedForOnlyABoundedTime) {
  clients_.all_leave();
  clients_.cluster_answers = false;
  auto const took = shut_down({.forced_shutdown_after = Seconds(60), .http_drain_timeout = Seconds(0.2)});
  EXPECT_TRUE(finished());
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 5s);
}

// A completion that is already queued, without error, when its phase ends must not run that phase's step: here the
// close timeout expires in the same turn of the loop in which the last client leaves, and the leaving is handled
// first (it ends the closing phase and re-arms the timer for the HTTP drain).
TEST_F(ShutdownCoordinatorTest, ATimeoutAlreadyQueuedWhenItsPhaseEndsIsIgnored) {
  clients_.leave_when_closed = false;
  auto const close_timeout = 200ms;
  ShutdownCoordinator coordinator(io_.get_executor(), clients_, server_,
                                  {.forced_shutdown_after = Seconds(0), .close_timeout = close_timeout}, [this] {
                                    finished_at_ = Clock::now();
                                    io_.stop();
                                  });
  coordinator.on_signal("SIGTERM");
  io_.poll();  // closes the clients and arms the close timeout
  ASSERT_EQ(clients_.closes.size(), 1U);
  // Due before the close timeout, so that the loop runs it first once it finds both due.
  asio::steady_timer leave(io_, Clock::now());
  leave.async_wait([this](error_code) { clients_.all_leave(); });
  // Not a wait for an event: the loop must stand still while both timers fall due, so that it finds both at once.
  std::this_thread::sleep_for(close_timeout + 50ms);
  io_.run_for(10s);
  EXPECT_TRUE(finished());
  EXPECT_EQ(lines_containing("all remaining clients closed"), 1U);
  EXPECT_EQ(lines_containing("did not finish the close handshake"), 0U);
  EXPECT_EQ(server_.stops, 1) << "the stale close timeout stopped the server a second time";
}

TEST_F(ShutdownCoordinatorTest, TheFinishedHandlerRunsOnTheExecutorItNamesNotOnTheCoordinators) {
  clients_.all_leave();
  asio::io_context owner;
  bool finished = false;
  ShutdownCoordinator coordinator(io_.get_executor(), clients_, server_, {.forced_shutdown_after = Seconds(60)},
                                  asio::bind_executor(owner, [&finished] { finished = true; }));
  coordinator.on_signal("SIGTERM");
  io_.run_for(10s);  // returns once the coordinator has nothing left to wait for
  EXPECT_EQ(lines_containing("shutdown: stopped"), 1U);
  EXPECT_FALSE(finished) << "ran on the coordinator's executor";
  owner.run();
  EXPECT_TRUE(finished);
}

TEST_F(ShutdownCoordinatorTest, LogsProgressWhileWaiting) {
  sink_->on_line = [this](std::string const& line) {
    if (line.find("clients remain") != line.npos && lines_containing("clients remain") == 3) clients_.all_leave();
  };
  shut_down({.forced_shutdown_after = Seconds(60), .progress_log_every = Seconds(0.05)});
  EXPECT_TRUE(finished());
  EXPECT_TRUE(clients_.closes.empty());
  EXPECT_EQ(lines_containing("shutdown: 2 clients remain; waited "), 3U);
  EXPECT_EQ(lines_containing(" s; forcing in "), 3U);
  EXPECT_EQ(lines_containing("shutdown: stopped"), 1U);
}

}  // namespace
}  // namespace wshub
