// POST /clients/{clientId}/send as issue 17 defines it: the path. Its body and its answer have a broadcast's shapes
// ({"message": text} in, {"sent": 1} out), so broadcast_body and sent_count serve it too.
#pragma once

#include <cstdint>
#include <string>

namespace loadgen {

inline std::string send_path(std::int64_t client_id) {
  return "/clients/" + std::to_string(client_id) + "/send";
}

}  // namespace loadgen
