// Tests reading settings from flags, environment and defaults, and refusing bad values.
#include "app/config.hpp"

#include <map>

#include <gtest/gtest.h>

#include "build_commit.hpp"
#include "version.hpp"

namespace wshub {
namespace {

using Environment = std::map<std::string, std::string>;

StartupDecision read(std::vector<std::string> const& args, Environment const& environment = {}) {
  return read_config(args, [&environment](std::string const& name) -> std::optional<std::string> {
    auto const found = environment.find(name);
    if (found == environment.end()) return std::nullopt;
    return found->second;
  });
}

Config read_ok(std::vector<std::string> const& args, Environment const& environment = {}) {
  auto const decision = read(args, environment);
  EXPECT_EQ(decision.exit_code, 0) << decision.message;
  EXPECT_TRUE(decision.config.has_value());
  // Named defaults rather than temporaries, here and below: GCC 12 at -O3 takes a value-initialized temporary's
  // strings for uninitialized (-Wmaybe-uninitialized) in the packager's Release build.
  Config const defaults;
  return decision.config.value_or(defaults);
}

double seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

void expect_refused(std::vector<std::string> const& args, Environment const& environment, std::string const& name,
                    std::string const& value) {
  auto const decision = read(args, environment);
  EXPECT_FALSE(decision.config.has_value());
  EXPECT_EQ(decision.exit_code, 2);
  EXPECT_NE(decision.message.find(name), std::string::npos) << decision.message;
  EXPECT_NE(decision.message.find('"' + value + '"'), std::string::npos) << decision.message;
  EXPECT_EQ(decision.message.find('\n'), std::string::npos) << "one line: " << decision.message;
}

TEST(Config, DefaultsMatchTheSeedService) {
  Config const config = read_ok({});
  EXPECT_EQ(config.listener.host, "127.0.0.1");
  EXPECT_EQ(config.listener.port, 8000);
  EXPECT_GE(config.threads, 1U);
  EXPECT_EQ(config.logging.level, spdlog::level::info);
  EXPECT_DOUBLE_EQ(config.shutdown.forced_shutdown_after.count(), 1800);
  EXPECT_DOUBLE_EQ(config.shutdown.progress_log_every.count(), 5);
}

TEST(Config, LimitsAndKeepaliveHaveDocumentedDefaults) {
  Config const config = read_ok({});
  EXPECT_DOUBLE_EQ(seconds(config.websocket.ping_interval), 25);
  EXPECT_DOUBLE_EQ(seconds(config.websocket.idle_timeout), 60);
  EXPECT_EQ(config.hub.max_clients, 0U);
  EXPECT_EQ(config.websocket.max_message_bytes, 16U * 1024 * 1024);
  EXPECT_EQ(config.http.limits.max_body_bytes, 16U * 1024 * 1024);
  EXPECT_EQ(config.http.limits.max_header_bytes, 8U * 1024);
  EXPECT_DOUBLE_EQ(seconds(config.http.request_timeout), 10);
  EXPECT_TRUE(config.api.api_token.empty());
  EXPECT_TRUE(config.api.metrics_token.empty());
  EXPECT_TRUE(config.http.allowed_origins.empty());
}

TEST(Config, EachDefaultIsThatOfThePiecesOptions) {
  Config const config = read_ok({});
  EXPECT_EQ(config.listener.host, ListenerOptions{}.host);
  EXPECT_EQ(config.listener.port, ListenerOptions{}.port);
  EXPECT_EQ(config.shutdown.forced_shutdown_after, ShutdownOptions{}.forced_shutdown_after);
  EXPECT_EQ(config.websocket.ping_interval, WebSocketOptions{}.ping_interval);
  EXPECT_EQ(config.websocket.idle_timeout, WebSocketOptions{}.idle_timeout);
  EXPECT_EQ(config.websocket.max_backpressure_bytes, WebSocketOptions{}.max_backpressure_bytes);
  EXPECT_EQ(config.http.request_timeout, HttpOptions{}.request_timeout);
  EXPECT_EQ(config.http.limits.max_header_bytes, RequestLimits{}.max_header_bytes);
  EXPECT_EQ(config.hub.max_clients, HubOptions{}.max_clients);
  EXPECT_EQ(config.api.docs_url, ApiOptions{}.docs_url);
  EXPECT_FALSE(config.cluster.has_value()) << "no Redis URL: a single node";
}

TEST(Config, HelpGivesTheDefaultsAsTheSettingsWriteThem) {
  auto const help = read({"--help"}).message;
  for (char const* text :
       {"(default 127.0.0.1)", "(default 8000)", "(default INFO)", "(default text)", "(default 1800)", "(default 5)",
        "(default 4194304)", "(default 25)", "(default 60)", "(default 0: no limit)", "(default 16777216)",
        "(default 8192)", "(default 10)", "(default /docs)", "(default wshub)", "(default 1000)", "(default 30)"}) {
    EXPECT_NE(help.find(text), std::string::npos) << text;
  }
}

TEST(Config, ARedisUrlMakesAClusterNodeWithTheClustersDefaults) {
  auto const cluster = read_ok({"--redis-url", "redis://r:7000/2", "--node-timeout-sec", "2.5"}).cluster;
  ASSERT_TRUE(cluster.has_value());
  EXPECT_EQ(cluster->redis, (RedisEndpoint{.host = "r", .port = 7000, .database = 2}));
  EXPECT_EQ(cluster->node_timeout, std::chrono::milliseconds(2500));
  ClusterOptions const defaults;
  EXPECT_EQ(cluster->cluster_name, defaults.cluster_name);
  EXPECT_EQ(cluster->replay_window, defaults.replay_window);
  EXPECT_EQ(cluster->count_timeout, defaults.count_timeout);
}

TEST(Config, ARedisUrlCarriesCredentials) {
  auto const cluster = read_ok({}, {{"REDIS_URL", "redis://app:p%40ss@r:7000/2"}}).cluster;
  ASSERT_TRUE(cluster.has_value());
  EXPECT_EQ(cluster->redis,
            (RedisEndpoint{.host = "r", .port = 7000, .database = 2, .user = "app", .password = "p@ss"}));
}

TEST(Config, ARefusedRedisUrlIsRepeatedWithItsPasswordMasked) {
  for (auto const* url : {"redis://app:s3cret@host:99999", "rediss://app:s3cret@host:0", "app:s3cret@host:6379"}) {
    auto const decision = read({}, {{"REDIS_URL", url}});
    EXPECT_EQ(decision.exit_code, 2) << url;
    EXPECT_NE(decision.message.find("REDIS_URL"), std::string::npos) << decision.message;
    EXPECT_NE(decision.message.find("app:***@host"), std::string::npos) << decision.message;
    EXPECT_EQ(decision.message.find("s3cret"), std::string::npos) << decision.message;
  }
}

TEST(Config, ARedissUrlReadsTheTlsSettings) {
  auto const cluster = read_ok({"--redis-url", "rediss://:pw@cache:6380/0", "--redis-tls-ca-file", "/etc/ca.pem",
                                "--redis-tls-insecure", "yes"},
                               {{"REDIS_TLS_CERT_FILE", "/etc/node.crt"}, {"REDIS_TLS_KEY_FILE", "/etc/node.key"}})
                           .cluster;
  ASSERT_TRUE(cluster.has_value());
  EXPECT_TRUE(cluster->redis.tls);
  EXPECT_EQ(cluster->redis_tls.ca_file, "/etc/ca.pem");
  EXPECT_EQ(cluster->redis_tls.cert_file, "/etc/node.crt");
  EXPECT_EQ(cluster->redis_tls.key_file, "/etc/node.key");
  EXPECT_TRUE(cluster->redis_tls.insecure);
  auto const plain = read_ok({"--redis-url", "rediss://cache"}).cluster;
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->redis_tls.insecure);
  EXPECT_TRUE(plain->redis_tls.ca_file.empty());
}

TEST(Config, TlsSettingsBesideARedisUrlWithoutTlsAreRefused) {
  expect_refused({"--redis-url", "redis://cache", "--redis-tls-ca-file", "/etc/ca.pem"}, {}, "--redis-tls-ca-file",
                 "/etc/ca.pem");
  expect_refused({}, {{"REDIS_URL", "redis://cache"}, {"REDIS_TLS_INSECURE", "true"}}, "REDIS_TLS_INSECURE", "true");
  // Turned off, it changes nothing.
  EXPECT_EQ(read({}, {{"REDIS_URL", "redis://cache"}, {"REDIS_TLS_INSECURE", "false"}}).exit_code, 0);
}

TEST(Config, AClientCertificateAndItsKeyComeTogether) {
  expect_refused({"--redis-url", "rediss://cache", "--redis-tls-cert-file", "/etc/node.crt"}, {},
                 "--redis-tls-cert-file", "/etc/node.crt");
  expect_refused({"--redis-url", "rediss://cache"}, {{"REDIS_TLS_KEY_FILE", "/etc/node.key"}}, "REDIS_TLS_KEY_FILE",
                 "/etc/node.key");
  expect_refused({"--redis-url", "rediss://cache", "--redis-tls-ca-file", ""}, {}, "--redis-tls-ca-file", "");
}

TEST(Config, ClusterSettingsAreCheckedWithoutARedisUrl) {
  expect_refused({}, {{"CLUSTER_NAME", "has space"}}, "CLUSTER_NAME", "has space");
}

TEST(Config, ReadsLimitsAndAccessControlFromFlagsAndEnvironment) {
  Config const config = read_ok({"--ping-interval-sec", "1.5", "--max-clients", "100", "--max-body-bytes", "1024",
                                 "--api-token", "abc", "--allowed-origins", " https://A.example , http://b:8080"},
                                {{"IDLE_TIMEOUT_SEC", "3"},
                                 {"MAX_MESSAGE_BYTES", "2048"},
                                 {"MAX_HEADER_BYTES", "4096"},
                                 {"REQUEST_TIMEOUT_SEC", "2"},
                                 {"METRICS_TOKEN", "m-token"}});
  EXPECT_DOUBLE_EQ(seconds(config.websocket.ping_interval), 1.5);
  EXPECT_DOUBLE_EQ(seconds(config.websocket.idle_timeout), 3);
  EXPECT_EQ(config.hub.max_clients, 100U);
  EXPECT_EQ(config.websocket.max_message_bytes, 2048U);
  EXPECT_EQ(config.http.limits.max_body_bytes, 1024U);
  EXPECT_EQ(config.http.limits.max_header_bytes, 4096U);
  EXPECT_DOUBLE_EQ(seconds(config.http.request_timeout), 2);
  EXPECT_EQ(config.api.api_token, "abc");
  EXPECT_EQ(config.api.metrics_token, "m-token");
  EXPECT_EQ(config.http.allowed_origins, (std::vector<std::string>{"https://a.example", "http://b:8080"}));
}

TEST(Config, RefusesBadLimitsNamingTheSetting) {
  expect_refused({}, {{"MAX_CLIENTS", "-1"}}, "MAX_CLIENTS", "-1");
  expect_refused({"--max-message-bytes", "0"}, {}, "--max-message-bytes", "0");
  expect_refused({}, {{"MAX_BODY_BYTES", "lots"}}, "MAX_BODY_BYTES", "lots");
  expect_refused({}, {{"REQUEST_TIMEOUT_SEC", "0"}}, "REQUEST_TIMEOUT_SEC", "0");
  expect_refused({}, {{"PING_INTERVAL_SEC", "0"}}, "PING_INTERVAL_SEC", "0");
  expect_refused({}, {{"PING_INTERVAL_SEC", "1e-12"}}, "PING_INTERVAL_SEC", "1e-12");
  expect_refused({}, {{"ALLOWED_ORIGINS", ""}}, "ALLOWED_ORIGINS", "");
  expect_refused({}, {{"ALLOWED_ORIGINS", "example.com"}}, "ALLOWED_ORIGINS", "example.com");
  expect_refused({"--allowed-origins", "https://a.example,"}, {}, "--allowed-origins", "https://a.example,");
}

TEST(Config, CompressionIsOnByDefaultAsInUvicorn) {
  Config const config = read_ok({});
  EXPECT_TRUE(config.websocket.deflate.enabled);
  EXPECT_EQ(config.websocket.deflate.level, 6);
  EXPECT_EQ(config.websocket.deflate.min_message_bytes, 64U);
}

TEST(Config, ReadsTheCompressionSettingsInClicksWords) {
  for (auto const* off : {"false", "FALSE", "0", "no", "off", "f", "N"}) {
    EXPECT_FALSE(read_ok({}, {{"WS_PER_MESSAGE_DEFLATE", off}}).websocket.deflate.enabled) << off;
  }
  for (auto const* on : {"true", "True", "1", "yes", "on", "t", "Y"}) {
    EXPECT_TRUE(
        read_ok({"--ws-per-message-deflate", on}, {{"WS_PER_MESSAGE_DEFLATE", "false"}}).websocket.deflate.enabled)
        << on;
  }
  auto const config = read_ok({"--ws-deflate-level", "1"}, {{"WS_DEFLATE_MIN_BYTES", "0"}});
  EXPECT_EQ(config.websocket.deflate.level, 1);
  EXPECT_EQ(config.websocket.deflate.min_message_bytes, 0U);
  EXPECT_EQ(read_ok({"--ws-deflate-contexts", "0"}, {}).websocket.deflate.max_context_deflaters, 0U);
  EXPECT_EQ(read_ok({}, {{"WS_DEFLATE_CONTEXTS", "5000"}}).websocket.deflate.max_context_deflaters, 5000U);
}

TEST(Config, RefusesBadCompressionSettings) {
  expect_refused({}, {{"WS_PER_MESSAGE_DEFLATE", "maybe"}}, "WS_PER_MESSAGE_DEFLATE", "maybe");
  expect_refused({"--ws-deflate-level", "0"}, {}, "--ws-deflate-level", "0");
  expect_refused({}, {{"WS_DEFLATE_LEVEL", "10"}}, "WS_DEFLATE_LEVEL", "10");
  expect_refused({}, {{"WS_DEFLATE_MIN_BYTES", "-1"}}, "WS_DEFLATE_MIN_BYTES", "-1");
  expect_refused({}, {{"WS_DEFLATE_CONTEXTS", "many"}}, "WS_DEFLATE_CONTEXTS", "many");
  expect_refused({"--ws-deflate-contexts", "-1"}, {}, "--ws-deflate-contexts", "-1");
}

TEST(Config, TheIdleTimeoutMustOutlastThePingInterval) {
  expect_refused({"--idle-timeout-sec", "25"}, {}, "--idle-timeout-sec", "25");
  expect_refused({"--ping-interval-sec", "90"}, {}, "--idle-timeout-sec", "60");
}

TEST(Config, ABadTokenIsRefusedWithoutRepeatingIt) {
  auto const decision = read({}, {{"API_TOKEN", "has space"}});
  EXPECT_EQ(decision.exit_code, 2);
  EXPECT_NE(decision.message.find("API_TOKEN"), std::string::npos) << decision.message;
  EXPECT_EQ(decision.message.find("has space"), std::string::npos) << decision.message;
  EXPECT_EQ(read({"--metrics-token", ""}).exit_code, 2);
}

TEST(Config, ReadsEveryFlag) {
  Config const config = read_ok({"--host", "0.0.0.0", "--port", "0", "--threads", "3", "--log-level", "debug",
                                 "--forced-shutdown-after-sec", "0.5", "--progress-log-every-sec=0.25"});
  EXPECT_EQ(config.listener.host, "0.0.0.0");
  EXPECT_EQ(config.listener.port, 0);
  EXPECT_EQ(config.threads, 3U);
  EXPECT_EQ(config.logging.level, spdlog::level::debug);
  EXPECT_DOUBLE_EQ(config.shutdown.forced_shutdown_after.count(), 0.5);
  EXPECT_DOUBLE_EQ(config.shutdown.progress_log_every.count(), 0.25);
}

TEST(Config, ReadsEveryEnvironmentVariable) {
  Config const config = read_ok({}, {{"HOST", "::1"},
                                     {"PORT", "65535"},
                                     {"THREADS", "1"},
                                     {"LOG_LEVEL", "WARNING"},
                                     {"FORCED_SHUTDOWN_AFTER_SEC", "0"},
                                     {"PROGRESS_LOG_EVERY_SEC", "30"}});
  EXPECT_EQ(config.listener.host, "::1");
  EXPECT_EQ(config.listener.port, 65535);
  EXPECT_EQ(config.threads, 1U);
  EXPECT_EQ(config.logging.level, spdlog::level::warn);
  EXPECT_DOUBLE_EQ(config.shutdown.forced_shutdown_after.count(), 0);
  EXPECT_DOUBLE_EQ(config.shutdown.progress_log_every.count(), 30);
}

TEST(Config, FlagsWinOverEnvironment) {
  Config const config = read_ok({"--port", "9000", "--log-level", "error"}, {{"PORT", "7000"}, {"LOG_LEVEL", "debug"}});
  EXPECT_EQ(config.listener.port, 9000);
  EXPECT_EQ(config.logging.level, spdlog::level::err);
}

TEST(Config, AFlagWinsEvenOverABadEnvironmentValue) {
  EXPECT_EQ(read_ok({"--port", "9000"}, {{"PORT", "nonsense"}}).listener.port, 9000);
}

TEST(Config, NumbersAsPythonReadsThem) {
  Config const config = read_ok({}, {{"PORT", " +8080 "}, {"FORCED_SHUTDOWN_AFTER_SEC", "+1.5"}});
  EXPECT_EQ(config.listener.port, 8080);
  EXPECT_DOUBLE_EQ(config.shutdown.forced_shutdown_after.count(), 1.5);
  expect_refused({}, {{"PORT", "+-1"}}, "PORT", "+-1");
  expect_refused({}, {{"PORT", "80 80"}}, "PORT", "80 80");
}

TEST(Config, LogLevelsInAnyCase) {
  EXPECT_EQ(read_ok({"--log-level", "Critical"}).logging.level, spdlog::level::critical);
  EXPECT_EQ(read_ok({"--log-level", "warn"}).logging.level, spdlog::level::warn);
  EXPECT_EQ(read_ok({"--log-level", "TRACE"}).logging.level, spdlog::level::trace);
  EXPECT_EQ(read_ok({"--log-level", "off"}).logging.level, spdlog::level::off);
}

TEST(Config, LogFormatsInAnyCase) {
  EXPECT_EQ(read_ok({}).logging.format, LogFormat::text);
  EXPECT_EQ(read_ok({"--log-format", "JSON"}).logging.format, LogFormat::json);
  EXPECT_EQ(read_ok({}, {{"LOG_FORMAT", "json"}}).logging.format, LogFormat::json);
  EXPECT_EQ(read_ok({"--log-format", "text"}, {{"LOG_FORMAT", "json"}}).logging.format, LogFormat::text);
}

TEST(Config, RefusesUnknownLogFormats) {
  expect_refused({"--log-format", "xml"}, {}, "--log-format", "xml");
  expect_refused({}, {{"LOG_FORMAT", ""}}, "LOG_FORMAT", "");
}

TEST(Config, RefusesBadPorts) {
  expect_refused({"--port", "abc"}, {}, "--port", "abc");
  expect_refused({"--port", "65536"}, {}, "--port", "65536");
  expect_refused({}, {{"PORT", "-1"}}, "PORT", "-1");
  expect_refused({}, {{"PORT", "80.5"}}, "PORT", "80.5");
  expect_refused({}, {{"PORT", ""}}, "PORT", "");
}

TEST(Config, RefusesBadThreadCounts) {
  expect_refused({"--threads", "0"}, {}, "--threads", "0");
  expect_refused({}, {{"THREADS", "many"}}, "THREADS", "many");
  expect_refused({}, {{"THREADS", "100000"}}, "THREADS", "100000");
}

TEST(Config, RefusesUnknownLogLevels) {
  expect_refused({"--log-level", "loud"}, {}, "--log-level", "loud");
  expect_refused({}, {{"LOG_LEVEL", "10"}}, "LOG_LEVEL", "10");
}

TEST(Config, RefusesBadDurations) {
  expect_refused({"--forced-shutdown-after-sec", "-1"}, {}, "--forced-shutdown-after-sec", "-1");
  expect_refused({}, {{"FORCED_SHUTDOWN_AFTER_SEC", "soon"}}, "FORCED_SHUTDOWN_AFTER_SEC", "soon");
  expect_refused({}, {{"FORCED_SHUTDOWN_AFTER_SEC", "nan"}}, "FORCED_SHUTDOWN_AFTER_SEC", "nan");
  expect_refused({}, {{"FORCED_SHUTDOWN_AFTER_SEC", "inf"}}, "FORCED_SHUTDOWN_AFTER_SEC", "inf");
  expect_refused({}, {{"FORCED_SHUTDOWN_AFTER_SEC", "1e99"}}, "FORCED_SHUTDOWN_AFTER_SEC", "1e99");
  expect_refused({"--progress-log-every-sec", "0"}, {}, "--progress-log-every-sec", "0");
  expect_refused({}, {{"PROGRESS_LOG_EVERY_SEC", "-5"}}, "PROGRESS_LOG_EVERY_SEC", "-5");
}

TEST(Config, RefusesAnEmptyHost) {
  expect_refused({"--host", ""}, {}, "--host", "");
}

TEST(Config, TheDocsPageMovesOrTurnsOff) {
  EXPECT_EQ(read_ok({}).api.docs_url, "/docs");
  EXPECT_EQ(read_ok({"--docs-url", "/api/docs"}).api.docs_url, "/api/docs");
  EXPECT_EQ(read_ok({}, {{"DOCS_URL", "/swagger"}}).api.docs_url, "/swagger");
  EXPECT_EQ(read_ok({"--docs-url", ""}).api.docs_url, "");
  EXPECT_EQ(read_ok({}, {{"DOCS_URL", ""}}).api.docs_url, "");
}

TEST(Config, RefusesADocsUrlThatIsNotAPathOrIsTaken) {
  expect_refused({"--docs-url", "docs"}, {}, "--docs-url", "docs");
  expect_refused({}, {{"DOCS_URL", "/my docs"}}, "DOCS_URL", "/my docs");
  expect_refused({}, {{"DOCS_URL", "/docs?x=1"}}, "DOCS_URL", "/docs?x=1");
  for (std::string const taken :
       {"/", "/clients", "/broadcast-to-all", "/healthz", "/readyz", "/metrics", "/openapi.json", "/ws", "/ws/docs"}) {
    expect_refused({"--docs-url", taken}, {}, "--docs-url", taken);
  }
}

TEST(Config, RefusesUnknownFlags) {
  auto const decision = read({"--colour", "blue"});
  EXPECT_EQ(decision.exit_code, 2);
  EXPECT_NE(decision.message.find("--colour"), std::string::npos) << decision.message;
}

TEST(Config, HelpNamesEveryFlagAndVariable) {
  auto const decision = read({"--help"});
  EXPECT_FALSE(decision.config.has_value());
  EXPECT_EQ(decision.exit_code, 0);
  for (char const* name : {"--host", "HOST", "--port", "PORT", "--threads", "THREADS", "--log-level", "LOG_LEVEL",
                           "--forced-shutdown-after-sec", "FORCED_SHUTDOWN_AFTER_SEC", "--progress-log-every-sec",
                           "PROGRESS_LOG_EVERY_SEC", "--docs-url", "DOCS_URL"}) {
    EXPECT_NE(decision.message.find(name), std::string::npos) << name;
  }
}

TEST(Config, VersionPrintsTheVersion) {
  auto const decision = read({"--version"});
  EXPECT_EQ(decision.exit_code, 0);
  EXPECT_EQ(decision.message, std::string("wshub ") + version + " (commit " + build_commit + ")");
}

}  // namespace
}  // namespace wshub
