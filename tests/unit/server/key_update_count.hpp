// Counts the KeyUpdate messages an OpenSSL client receives, through its message callback.
#pragma once

#include <openssl/ssl.h>

namespace wshub::testing {

// `*count` grows by one for each KeyUpdate `client` reads; it must outlive the client.
inline void count_key_updates(SSL* client, int* count) {
  SSL_set_msg_callback(client,
                       [](int sent, int, int content_type, void const* bytes, std::size_t size, SSL*, void* counter) {
                         if (sent == 0 && content_type == SSL3_RT_HANDSHAKE && size > 0 &&
                             *static_cast<unsigned char const*>(bytes) == SSL3_MT_KEY_UPDATE) {
                           ++*static_cast<int*>(counter);
                         }
                       });
  SSL_set_msg_callback_arg(client, count);
}

}  // namespace wshub::testing
