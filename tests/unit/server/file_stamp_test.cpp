// A file's stamp changes with what a certificate renewal does to it, and only then.
#include "server/file_stamp.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace wshub {
namespace {

class FileStampTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("wshub_file_stamp_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(folder_);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  std::string write(std::string const& name, std::string const& text) {
    auto const path = folder_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path folder_;
};

TEST_F(FileStampTest, AFileLeftAloneKeepsItsStamp) {
  auto const path = write("cert.pem", "one");
  EXPECT_EQ(stamp_of(path), stamp_of(path));
}

TEST_F(FileStampTest, AFileRenamedOverTheOldOneChangesTheStamp) {
  auto const path = write("cert.pem", "one");
  auto const before = stamp_of(path);
  std::filesystem::rename(write("cert.pem.new", "two"), path);
  EXPECT_NE(stamp_of(path), before);
}

TEST_F(FileStampTest, AFileRewrittenInPlaceToTheSameSizeChangesTheStamp) {
  auto const path = write("cert.pem", "one");
  auto const written = std::filesystem::last_write_time(path);
  auto const before = stamp_of(path);
  write("cert.pem", "two");
  // The same size, and a modification time set a second on: only the time tells the files apart.
  std::filesystem::last_write_time(path, written + std::chrono::seconds(1));
  auto const after = stamp_of(path);
  EXPECT_EQ(after.size, before.size);
  EXPECT_NE(after, before);
}

TEST_F(FileStampTest, AChangeOfPermissionsChangesTheStamp) {
  auto const path = write("key.pem", "secret");
  auto const before = stamp_of(path);
  // The inode's change time, not the content's: a key that could not be read may be readable now. The kernel's
  // file clock moves in ticks of a few milliseconds, so the permissions are changed until a tick has passed.
  using std::filesystem::perms;
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  auto stamp = before;
  for (bool writable = false; stamp == before && std::chrono::steady_clock::now() < deadline; writable = !writable) {
    std::filesystem::permissions(path, writable ? perms::owner_read | perms::owner_write : perms::owner_read);
    stamp = stamp_of(path);
  }
  EXPECT_EQ(stamp.modified_ns, before.modified_ns);
  EXPECT_NE(stamp, before);
}

TEST_F(FileStampTest, ALinkPointedElsewhereChangesTheStamp) {
  auto const first = write("first.pem", "one");
  auto const second = write("second.pem", "two");
  auto const link = (folder_ / "live.pem").string();
  std::filesystem::create_symlink(first, link);
  auto const before = stamp_of(link);
  EXPECT_EQ(before, stamp_of(first));
  std::filesystem::remove(link);
  std::filesystem::create_symlink(second, link);
  EXPECT_NE(stamp_of(link), before);
}

TEST_F(FileStampTest, AMissingFileHasItsErrorInTheStamp) {
  auto const missing = stamp_of((folder_ / "gone.pem").string());
  EXPECT_EQ(missing.error, ENOENT);
  EXPECT_NE(missing, stamp_of(write("gone.pem", "back")));
}

}  // namespace
}  // namespace wshub
