// A file's stamp changes with what a certificate renewal does to it, and only then.
#include "server/file_stamp.hpp"

#include <gtest/gtest.h>

#include <cerrno>
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

TEST_F(FileStampTest, AFileRewrittenInPlaceChangesTheStamp) {
  auto const path = write("cert.pem", "one");
  auto const before = stamp_of(path);
  write("cert.pem", "a longer one");
  EXPECT_NE(stamp_of(path), before);
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
