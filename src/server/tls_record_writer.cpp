// Seals each write into a record in a per-thread buffer, sends it, and keeps only a part the socket did not take.
#include "server/tls_record_writer.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "server/nonblocking_socket.hpp"

namespace wshub {
namespace {

constexpr std::uint8_t handshake = 22;
constexpr unsigned char key_update = 24;

TlsRecordWriter::Outcome failed_with(int error) {
  errno = error;
  return {TlsRecordWriter::Result::failed};
}

// Where each record is sealed before it is sent: one per thread, not one per connection.
std::span<char> sealing_buffer() {
  thread_local std::array<char, TlsRecordSealer::max_plaintext_bytes + TlsRecordSealer::overhead_bytes> buffer;
  return buffer;
}

}  // namespace

bool TlsRecordWriter::take_keys(tls_crypto_info const& info) {
  if (!TlsRecordSealer::can_seal(info)) return false;
  sealer_.emplace(info);  // OpenSSL 3.0 offers a connection's keys once; newer keys would replace older ones
  return true;
}

TlsRecordWriter::Outcome TlsRecordWriter::write(int fd, std::span<char const> plaintext) {
  if (unsent_) {
    // Only wshub writes once the handshake is done, and it retries with the bytes the record holds first.
    if (unsent_writer_ != Writer::wshub || plaintext.size() < unsent_plaintext_bytes_) return failed_with(EPROTO);
    return send_unsent(fd);
  }
  return seal_and_send(fd, application_data,
                       plaintext.first(std::min(plaintext.size(), TlsRecordSealer::max_plaintext_bytes)),
                       Writer::wshub);
}

TlsRecordWriter::Outcome TlsRecordWriter::write_for_openssl(int fd, std::span<char const> plaintext) {
  if (unsent_) {
    // OpenSSL's retry of its own record, with the same bytes and the type named again. A record of wshub's cannot
    // be held here: OpenSSL flushes before each record of its own that is not application data (the BIO says no
    // while one of ours is part-sent), and TlsConnection gives it application data only when none is.
    if (unsent_writer_ != Writer::openssl || plaintext.size() != unsent_plaintext_bytes_) return failed_with(EPROTO);
    record_type_ = application_data;
    return send_unsent(fd);
  }
  // OpenSSL writes at most one record at a time; more would not fit the sealing buffer.
  if (plaintext.size() > TlsRecordSealer::max_plaintext_bytes) return failed_with(EMSGSIZE);
  // After a KeyUpdate the records need the next keys, which OpenSSL 3.0 derives but does not hand over: it seals
  // them itself once the BIO says the keys are no longer taken (BIO_get_ktls_send).
  bool const updates_keys =
      record_type_ == handshake && !plaintext.empty() && static_cast<unsigned char>(plaintext[0]) == key_update;
  // OpenSSL names the type of each record that is not application data, and kernel TLS (which this stands in for)
  // forgets it once that record is made.
  auto const outcome = seal_and_send(fd, std::exchange(record_type_, application_data), plaintext, Writer::openssl);
  // The KeyUpdate itself went under the old keys; its rest, if the socket took only part, is already sealed.
  if (updates_keys && outcome.result != Result::failed) sealer_.reset();
  return outcome;
}

TlsRecordWriter::Outcome TlsRecordWriter::seal_and_send(int fd, std::uint8_t type, std::span<char const> plaintext,
                                                        Writer writer) {
  if (!sealer_) return failed_with(EPROTO);  // the keys are OpenSSL's again, after a KeyUpdate
  auto const buffer = sealing_buffer();
  std::size_t const record_bytes = sealer_->seal(type, plaintext, buffer);
  if (record_bytes == 0) return failed_with(EPROTO);
  ssize_t const sent = send_some(fd, buffer.data(), record_bytes);
  if (sent < 0 && !would_block(errno)) return {Result::failed};
  std::size_t const taken = sent < 0 ? 0 : static_cast<std::size_t>(sent);
  if (taken == record_bytes) return {Result::sent, plaintext.size()};
  // The record is sealed and its sequence number spent: it must go out whole, before any other.
  unsent_ = std::make_unique_for_overwrite<char[]>(record_bytes - taken);
  std::memcpy(unsent_.get(), buffer.data() + taken, record_bytes - taken);
  unsent_begin_ = 0;
  unsent_end_ = record_bytes - taken;
  unsent_plaintext_bytes_ = plaintext.size();
  unsent_writer_ = writer;
  return {Result::would_block};
}

TlsRecordWriter::Outcome TlsRecordWriter::send_unsent(int fd) {
  ssize_t const sent = send_some(fd, unsent_.get() + unsent_begin_, unsent_end_ - unsent_begin_);
  if (sent < 0) return {would_block(errno) ? Result::would_block : Result::failed};
  unsent_begin_ += static_cast<std::size_t>(sent);
  if (unsent_begin_ < unsent_end_) return {Result::would_block};
  unsent_.reset();
  return {Result::sent, std::exchange(unsent_plaintext_bytes_, 0)};
}

}  // namespace wshub
