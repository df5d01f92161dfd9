// What stat(2) says about a file, to tell whether it changed since it was last read.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace wshub {

// Equal stamps: the same file (after symbolic links), of the same size, modified and changed at the same times; a
// file that cannot be stat'ed has a stamp with its errno. A certificate renewed in place, renamed over the old one, or
// swapped behind a symbolic link (certbot's live/, a Kubernetes secret) gets a new stamp.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  std::int64_t modified_ns = 0;
  std::int64_t changed_ns = 0;  // the inode's change: also a chmod or chown, after which a refused file may load
  int error = 0;

  bool operator==(FileStamp const&) const = default;
};

FileStamp stamp_of(std::string const& path);

}  // namespace wshub
