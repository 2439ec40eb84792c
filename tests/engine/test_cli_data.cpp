// ctest-labels: integration
// pretext-cli inspect and preview as a user runs them, on files the test writes.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "support.h"

namespace {
int run(const std::string& args, std::string* out = nullptr) {
  const std::string cmd = std::string(PRETEXT_CLI) + " " + args + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int status = pclose(p);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace

TEST(cli_data, InspectJsonAndPreviewGrid) {
  pretext::test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "cats");
  std::filesystem::create_directories(dir.path() / "dogs");
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(cv::imwrite(dir.str("cats/c" + std::to_string(i) + ".png"), cv::Mat(20, 20, CV_8UC3, cv::Scalar(0, 0, 255))));
  ASSERT_TRUE(cv::imwrite(dir.str("dogs/d.png"), cv::Mat(20, 20, CV_8UC3, cv::Scalar(255, 0, 0))));
  std::ofstream(dir.str("dogs/broken.jpg")) << "not a jpeg";

  std::string out;
  ASSERT_EQ(run("inspect " + dir.str() + " --json", &out), 0) << out;
  const auto j = nlohmann::json::parse(out.substr(out.find('{')));
  EXPECT_EQ(j["images"], 4);
  EXPECT_EQ(j["classes"][0]["name"], "cats");
  EXPECT_EQ(j["classes"][0]["count"], 3);
  EXPECT_EQ(j["classes"][1]["count"], 1);
  ASSERT_EQ(j["bad"].size(), 1u);
  EXPECT_NE(j["bad"][0]["reason"].get<std::string>().find("not an image"), std::string::npos);
  EXPECT_NEAR(j["mean"][0].get<double>(), 0.75, 1e-9);  // R: three red images of four

  const std::string grid = dir.str("grid.png"), trace = dir.str("trace.json");
  ASSERT_EQ(run("preview " + dir.str() + " --pipeline simclr --n 3 --views 2 --seed 4 --cell 32 --out " + grid +
                " --trace " + trace, &out), 0) << out;
  const cv::Mat g = cv::imread(grid);
  EXPECT_EQ(g.rows, 3 * (32 + 2) + 2);  // rows = images
  EXPECT_EQ(g.cols, 3 * (32 + 2) + 2);  // columns = original + 2 views
  std::ifstream tin(trace);
  const auto t = nlohmann::json::parse(tin);
  EXPECT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0]["ops"][0]["op"], "random_resized_crop");
  // The same seed draws the same grid.
  const std::string again = dir.str("again.png");
  ASSERT_EQ(run("preview " + dir.str() + " --pipeline simclr --n 3 --views 2 --seed 4 --cell 32 --out " + again), 0);
  EXPECT_EQ(cv::norm(g, cv::imread(again), cv::NORM_INF), 0);

  EXPECT_EQ(run("inspect " + dir.str("nothing-here")), 2);
  EXPECT_EQ(run("preview " + dir.str() + " --pipeline no-such-preset --out " + grid), 2);
}

// A --db that is not a database (here a text file) is refused before any data is read, with exit 2
// and a sentence that says so, and the file is left as it was; `runs list` says the same.
TEST(cli_data, ADbThatIsNotADatabaseIsRefusedBeforeTheDataLoads) {
  pretext::test::TempDir dir;
  ASSERT_TRUE(cv::imwrite(dir.str("a.png"), cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3))));
  const std::string db = dir.str("notes.txt");
  { std::ofstream(db) << "not a database\n"; }
  std::string out;
  EXPECT_EQ(run("train --data " + dir.str() + " --steps 1 --db " + db, &out), 2) << out;
  EXPECT_NE(out.find("is not a Pretext database"), std::string::npos) << out;
  EXPECT_EQ(out.find("images"), std::string::npos) << "the data was loaded first: " << out;
  EXPECT_EQ(run("runs list --db " + db, &out), 2) << out;
  EXPECT_NE(out.find("is not a Pretext database"), std::string::npos) << out;
  std::ifstream in(db);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "not a database\n");
}
