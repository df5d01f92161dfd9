// Entries are handed on in stream order, and the last id of each stream moves on with every entry handed on.
#include "cluster/stream_reader.hpp"

#include <charconv>
#include <utility>
#include <vector>

#include "ops/logging.hpp"

namespace wshub {
namespace {

// How many stream entries one XREAD takes at most, and how long it blocks before asking again.
constexpr std::string_view read_batch_entries = "1000";
constexpr auto read_block = std::chrono::milliseconds(1000);
constexpr auto reread_after_error = std::chrono::milliseconds(500);

// "1700000000000-3" as the pair it stands for, so that ids compare as numbers.
std::pair<std::uint64_t, std::uint64_t> stream_position(std::string const& id) {
  std::pair<std::uint64_t, std::uint64_t> position{};
  auto const dash = id.find('-');
  std::from_chars(id.data(), id.data() + std::min(dash, id.size()), position.first);
  if (dash != std::string::npos) std::from_chars(id.data() + dash + 1, id.data() + id.size(), position.second);
  return position;
}

// XREAD's answer for one stream: [key, [[id, [field, value, ...]], ...]].
std::vector<std::pair<std::string, std::vector<RedisReply> const*>> streams_of(RedisReply const& reply) {
  std::vector<std::pair<std::string, std::vector<RedisReply> const*>> streams;
  for (auto const& stream : reply.elements) {
    if (stream.elements.size() == 2) streams.emplace_back(stream.elements[0].text, &stream.elements[1].elements);
  }
  return streams;
}

}  // namespace

StreamReader::StreamReader(asio::any_io_executor executor, RedisLink& reader, ClusterKeys const& keys,
                           ClusterOptions const& options, Metrics& metrics, Events events)
    : reader_(reader),
      keys_(keys),
      options_(options),
      metrics_(metrics),
      events_(std::move(events)),
      reread_timer_(std::move(executor)) {}

void StreamReader::on_link_up() {
  // A reread planned after an error on the lost connection would start a second XREAD beside the one below.
  reread_timer_.cancel();
  if (!last_count_id_.empty()) {
    check_replay_gap();
    return read_next();
  }
  find_starts();
}

// First connection: read what is published from now on. One lost half-way finds only the start still missing.
void StreamReader::find_starts() {
  if (last_broadcast_id_.empty()) return find_start(keys_.broadcasts, last_broadcast_id_);
  if (last_count_id_.empty()) return find_start(keys_.counts_of(options_.node_id), last_count_id_);
  events_.on_ready();
  read_next();
}

// Sets last_id (a member) from the stream's newest entry, then goes on finding the other start.
void StreamReader::find_start(std::string key, std::string& last_id) {
  reader_.command({"XREVRANGE", std::move(key), "+", "-", "COUNT", "1"}, [this, &last_id](RedisReply const& reply) {
    if (reply.is_error()) return;  // lost again: on_link_up starts over
    last_id = reply.elements.empty() ? "0-0" : reply.elements[0].elements[0].text;
    find_starts();
  });
}

void StreamReader::check_replay_gap() {
  auto const last = last_broadcast_id_;
  reader_.command({"XINFO", "STREAM", keys_.broadcasts}, [this, last](RedisReply const& reply) {
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
      if (reply.elements[i].text != "max-deleted-entry-id") continue;
      if (stream_position(reply.elements[i + 1].text) <= stream_position(last)) return;
      metrics_.add(Counter::cluster_replay_gaps);
      log_event(spdlog::level::err, {{"last_delivered", last}},
                "cluster: cut off from Redis longer than the replay window ({} s): broadcasts after {} were "
                "trimmed before this node could deliver them",
                options_.replay_window.count() / 1000, last);
    }
  });
}

void StreamReader::read_next() {
  if (!reader_.up()) return;
  reader_.command(
      {"XREAD", "COUNT", std::string(read_batch_entries), "BLOCK", std::to_string(read_block.count()), "STREAMS",
       keys_.broadcasts, keys_.counts_of(options_.node_id), last_broadcast_id_, last_count_id_},
      [this](RedisReply const& reply) { on_read(reply); }, read_block);
}

void StreamReader::on_read(RedisReply const& reply) {
  if (reply.is_error()) {
    if (!reader_.up()) return;  // on_link_up resumes from the last ids
    log_event(spdlog::level::err, {{"reason", reply.text}}, "cluster: reading broadcasts failed: {}", reply.text);
    return reread_timer_.arm_after(reread_after_error, [this] { read_next(); });
  }
  for (auto const& [stream, entries] : streams_of(reply)) {
    bool const broadcasts = stream == keys_.broadcasts;
    for (auto const& raw : *entries) {
      if (raw.elements.size() != 2) continue;
      StreamEntry entry{.id = raw.elements[0].text, .fields = {}};
      auto const& fields = raw.elements[1].elements;
      for (std::size_t i = 0; i + 1 < fields.size(); i += 2) entry.fields[fields[i].text] = fields[i + 1].text;
      (broadcasts ? last_broadcast_id_ : last_count_id_) = entry.id;
      (broadcasts ? events_.on_broadcast : events_.on_count)(entry);
    }
  }
  read_next();
}

}  // namespace wshub
