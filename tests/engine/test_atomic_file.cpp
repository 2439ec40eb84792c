// ctest-labels: unit
// Files beside the database are written whole or not at all, and a full disk is an error message:
// LibTorch's archive writer used to abort the process ("terminate called ... unexpected pos") when
// the disk filled under a checkpoint.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "engine/core/atomic_file.h"
#include "tests/engine/file_support.h"
#include "tests/engine/support.h"

using namespace pretext;

TEST(atomic_file, WritesTheWholeFileAndLeavesNoTemporary) {
  test::TempDir dir;
  const std::string path = dir.str("sub/folder/a.bin");
  std::string bytes(200000, 'x');
  bytes += "end";
  write_file_atomically(path, [&](std::ostream& out) { out << bytes; });
  EXPECT_EQ(test::file_bytes(path), bytes);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(atomic_file, AFailedWriteKeepsWhatThePathHeld) {
  test::TempDir dir;
  const std::string path = dir.str("a.bin");
  write_file_atomically(path, [](std::ostream& out) { out << "old"; });
  EXPECT_THROW(write_file_atomically(path, [](std::ostream& out) {
                 out << "half of the new";
                 throw std::runtime_error("the writer failed");
               }),
               std::runtime_error);
  EXPECT_EQ(test::file_bytes(path), "old");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  // A folder that cannot be made (its parent is a file): the path and the reason are named.
  try {
    write_file_atomically(dir.str("a.bin/inside.bin"), [](std::ostream& out) { out << "x"; });
    FAIL() << "wrote under a file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("inside.bin"), std::string::npos) << e.what();
  }
}

// /dev/full fails every write with ENOSPC, as a full disk does: LibTorch's archive finishes, and the
// error comes back to the caller instead of aborting the process.
TEST(atomic_file, ADiskFullUnderATorchArchiveIsReportedNotFatal) {
  const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  if (fd < 0) GTEST_SKIP() << "no /dev/full here";
  torch::serialize::OutputArchive archive;
  archive.write("weights", torch::randn({256, 256}));
  const int error = write_stream(fd, [&](std::ostream& out) { archive.save_to(out); });
  ::close(fd);
  EXPECT_EQ(error, ENOSPC);
}
