// Gives back the storage of reusable buffers that one large message grew.
#include "protocol/retained_buffer.hpp"

namespace wshub {

void give_back_if_grown(std::string& buffer) {
  if (buffer.capacity() > retained_buffer_bytes) std::string().swap(buffer);
}

}  // namespace wshub
