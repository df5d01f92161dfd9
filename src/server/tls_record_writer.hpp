// The socket's writes once wshub seals its own TLS records: each write is sealed into one record and sent, and the
// part of a record the socket did not take is kept until it has gone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "server/tls_record_sealer.hpp"

namespace wshub {

class TlsRecordWriter {
  enum class Writer : std::uint8_t { wshub, openssl };

 public:
  enum class Result { sent, would_block, failed };
  struct Outcome {
    Result result;
    std::size_t written = 0;  // plaintext bytes now sent (or, for OpenSSL, taken), when sent
  };

  // Whether this makes every record now: from OpenSSL's hand-over of the write keys until a KeyUpdate gives them
  // back (OpenSSL 3.0 derives the next keys itself, and hands none over; it seals with them in a write buffer set up
  // anew, which SSL_MODE_RELEASE_BUFFERS ensures).
  bool sealing() const { return sealer_.has_value(); }
  // Takes the keys OpenSSL would give kernel TLS; false, and OpenSSL goes on sealing itself, for anything but the
  // TLS 1.3 ciphers TlsRecordSealer knows.
  bool take_keys(tls_crypto_info const& info);
  // The content type of the record OpenSSL writes next (an alert, a session ticket), if not application data.
  void set_record_type(std::uint8_t type) { record_type_ = type; }
  // A record is still part-sent, and how much plaintext it carries.
  bool holds_unsent() const { return unsent_ != nullptr; }
  std::size_t unsent_plaintext_bytes() const { return unsent_plaintext_bytes_; }
  // Whether OpenSSL may write a record now (it asks before each of its own): not while one of wshub's is part-sent,
  // which only wshub's retry may finish.
  bool open_to_openssl() const { return unsent_ == nullptr || unsent_writer_ == Writer::openssl; }

  // Application data from wshub, straight from the session: the first bytes of `plaintext`, at most one record.
  // would_block: the record is sealed but the socket took only part of it, or none of an earlier one's rest; the
  // next call must begin with the same bytes, and sends the rest first (its `written` is that record's plaintext).
  Outcome write(int fd, std::span<char const> plaintext);
  // OpenSSL's writes through the BIO (session tickets, alerts, a KeyUpdate), with the same rule: OpenSSL retries a
  // write that would block with the same bytes. A KeyUpdate is the last record sealed here: OpenSSL seals what
  // follows it under the next keys. failed: errno says why.
  Outcome write_for_openssl(int fd, std::span<char const> plaintext);

 private:
  static constexpr std::uint8_t application_data = 23;
  // Seals one record of `type` and sends what the socket takes, keeping the rest for `writer`'s retry.
  Outcome seal_and_send(int fd, std::uint8_t type, std::span<char const> plaintext, Writer writer);
  // Sends the kept rest of the record; sent once it has all gone.
  Outcome send_unsent(int fd);

  std::optional<TlsRecordSealer> sealer_;
  std::uint8_t record_type_ = application_data;
  Writer unsent_writer_ = Writer::wshub;
  std::unique_ptr<char[]> unsent_;  // only while the socket has no room: an idle connection keeps no buffer
  std::size_t unsent_begin_ = 0;
  std::size_t unsent_end_ = 0;
  std::size_t unsent_plaintext_bytes_ = 0;
};

}  // namespace wshub
