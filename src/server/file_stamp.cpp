// Reads a file's stamp with stat(2).
#include "server/file_stamp.hpp"

#include <sys/stat.h>

#include <cerrno>

namespace wshub {

namespace {

std::int64_t nanoseconds(timespec const& time) {
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

}  // namespace

FileStamp stamp_of(std::string const& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return FileStamp{.error = errno};
  return FileStamp{.device = status.st_dev,
                   .inode = status.st_ino,
                   .size = status.st_size,
                   .modified_ns = nanoseconds(status.st_mtim),
                   .changed_ns = nanoseconds(status.st_ctim)};
}

}  // namespace wshub
