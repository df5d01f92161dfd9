// The keys that seal TLS session tickets: the current one and the one before it, replaced on a schedule.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>

struct ssl_ctx_st;
struct ssl_st;
struct evp_cipher_ctx_st;
struct evp_mac_ctx_st;

namespace wshub {

// A session ticket is the session's secrets sealed (AES-256-CBC, HMAC-SHA256) with a key only the server knows:
// whoever learns the key can open every ticket ever sealed with it, and with them the traffic of the sessions they
// resume. So the key is replaced (rotate()) on a schedule; the one before it still opens tickets for one more period
// (the client is then given a new ticket), after which it is erased. One set serves every TlsContext of a server, so
// that tickets survive a certificate reload.
//
// Thread-safe: tickets are sealed and opened on the I/O threads while rotate() runs on the accept loop.
class TicketKeys {
 public:
  TicketKeys();  // a random current key, no previous one
  ~TicketKeys();
  TicketKeys(TicketKeys const&) = delete;
  TicketKeys& operator=(TicketKeys const&) = delete;

  // The context's tickets are sealed and opened with these keys from now on; they must outlive its connections.
  void install_in(ssl_ctx_st* context);
  // The current key becomes the previous one, and the previous one is erased; a new current one is drawn.
  void rotate();
  std::uint64_t rotations() const;

 private:
  struct Key {
    std::array<unsigned char, 16> name;
    std::array<unsigned char, 32> cipher_key;
    std::array<unsigned char, 32> mac_key;
  };
  static Key random_key();
  static void erase(Key& key);
  // Points the ticket's cipher and MAC at the key (OpenSSL's own choice: AES-256-CBC, HMAC-SHA256).
  static bool use_key(Key& key, unsigned char const* iv, evp_cipher_ctx_st* cipher, evp_mac_ctx_st* mac, bool seal);

  // OpenSSL's ticket callback: seal with the current key, or find the key a ticket names and open it.
  static int on_ticket(ssl_st* ssl, unsigned char* name, unsigned char* iv, evp_cipher_ctx_st* cipher,
                       evp_mac_ctx_st* mac, int seal);
  int seal(unsigned char* name, unsigned char* iv, evp_cipher_ctx_st* cipher, evp_mac_ctx_st* mac);
  // always_renew: the client gets a new ticket even when this one's key is the current one.
  int open(unsigned char const* name, unsigned char* iv, evp_cipher_ctx_st* cipher, evp_mac_ctx_st* mac,
           bool always_renew);

  mutable std::mutex mutex_;
  Key current_;
  std::optional<Key> previous_;
  std::uint64_t rotations_ = 0;
};

}  // namespace wshub
