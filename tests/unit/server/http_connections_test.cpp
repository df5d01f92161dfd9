// Tests stopping the HTTP connections when none is open: the answer is a completion, never run inside stop_all.
#include "server/http_connections.hpp"

#include <gtest/gtest.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>

namespace wshub {
namespace {

TEST(HttpConnections, StoppingWithNoneOpenAnswersAfterTheCallOnTheServersExecutor) {
  asio::io_context server;
  HttpConnections connections(server.get_executor());
  int calls = 0;
  connections.stop_all([&calls] { ++calls; });
  EXPECT_EQ(calls, 0) << "answered inside stop_all()";
  server.run();
  EXPECT_EQ(calls, 1);
}

TEST(HttpConnections, AHandlerThatNamesAnExecutorIsAnsweredThere) {
  asio::io_context server;
  asio::io_context caller;
  HttpConnections connections(server.get_executor());
  int calls = 0;
  connections.stop_all(asio::bind_executor(caller, [&calls] { ++calls; }));
  server.run();
  EXPECT_EQ(calls, 0) << "answered on the server's executor";
  caller.run();
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace wshub
