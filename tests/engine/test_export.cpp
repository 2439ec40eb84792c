// ctest-labels: unit
// safetensors written by hand must read back bit for bit, and a ResNet-18 exported from the engine
// must load into torchvision's resnet18 (CIFAR stem) and give the same features. The Python half
// runs when a Python with torch, torchvision and safetensors is found (PRETEXT_TEST_PYTHON, else
// tests/.venv/bin/python, else .venv/bin/python), and is skipped otherwise.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <set>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "engine/models/safetensors.h"
#include "engine/export/tables.h"
#include "engine/store/store.h"
#include "support.h"
#include "tests/engine/file_support.h"

using namespace pretext;

namespace {

std::vector<std::string> lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Running statistics away from their initial 0/1 so that an export that dropped them would show.
void randomise_batchnorm(BackboneImpl& b) {
  torch::NoGradGuard no_grad;
  for (auto& buf : b.named_buffers(true)) {
    if (buf.key().find("running_mean") != std::string::npos) buf.value().normal_(0, 0.1);
    if (buf.key().find("running_var") != std::string::npos) buf.value().uniform_(0.5, 1.5);
    if (buf.key().find("num_batches_tracked") != std::string::npos) buf.value().fill_(7);
  }
  for (auto& p : b.named_parameters(true))
    if (p.key().find("bn") != std::string::npos || p.key().find("downsample.1") != std::string::npos)
      p.value().uniform_(0.5, 1.5);
}

std::string find_python() {
  if (const char* env = std::getenv("PRETEXT_TEST_PYTHON")) return env;
  for (const char* rel : {"/tests/.venv/bin/python", "/.venv/bin/python"}) {
    const std::string p = std::string(PRETEXT_SOURCE_DIR) + rel;
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

// Loads the engine's export into torchvision's resnet18 with the CIFAR stem and compares features.
const char* kTorchvisionCheck = R"py(
import sys
try:
    import torch, torchvision
    from safetensors.torch import load_file
except Exception as e:
    print("missing:", e); sys.exit(77)
weights, io = sys.argv[1], sys.argv[2]
m = torchvision.models.resnet18()
m.conv1 = torch.nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
m.maxpool = torch.nn.Identity()
m.fc = torch.nn.Identity()
m.load_state_dict(load_file(weights), strict=True)
m.eval()
t = load_file(io)
with torch.no_grad():
    y = m(t["input"])
diff = (y - t["features"]).abs().max().item()
print("max abs diff", diff)
sys.exit(0 if diff <= 1e-4 else 1)
)py";

}  // namespace

TEST(export, SafetensorsRoundTripIsExact) {
  test::TempDir dir;
  const std::string path = dir.str("sub/t.safetensors");
  torch::manual_seed(0);
  NamedTensors in = {{"f32", torch::randn({3, 4})},
                     {"i64", torch::tensor({int64_t(1) << 40, int64_t(-5)}, torch::kLong)},
                     {"f64", torch::randn({2}, torch::kDouble)},
                     {"u8", torch::tensor({0, 255, 7}, torch::kUInt8)},
                     {"scalar", torch::tensor(2.5f)},
                     {"strided", torch::arange(12, torch::kFloat).reshape({3, 4}).t()}};  // not contiguous
  write_safetensors(path, in, {{"note", "hello"}});
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));

  // The layout by hand: 8-byte little-endian length, JSON, data starting 8-byte aligned.
  const std::string bytes = test::file_bytes(path);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  EXPECT_EQ(n % 8, 0u);
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["f32"]["dtype"], "F32");
  EXPECT_EQ(header["f32"]["shape"], nlohmann::json::parse("[3,4]"));
  EXPECT_EQ(header["f32"]["data_offsets"], nlohmann::json::parse("[0,48]"));
  EXPECT_EQ(header["i64"]["dtype"], "I64");
  EXPECT_EQ(header["__metadata__"]["note"], "hello");
  EXPECT_EQ(bytes.size(), 8 + n + 48 + 16 + 16 + 3 + 4 + 48);
  float first;
  std::memcpy(&first, bytes.data() + 8 + n, 4);
  EXPECT_EQ(first, in[0].second[0][0].item<float>());

  const SafetensorsFile f = read_safetensors(path);
  ASSERT_EQ(f.tensors.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(f.tensors[i].first, in[i].first);  // file order is the order written
    EXPECT_EQ(f.tensors[i].second.scalar_type(), in[i].second.scalar_type());
    EXPECT_TRUE(torch::equal(f.tensors[i].second, in[i].second)) << in[i].first;
  }
  EXPECT_EQ(f.metadata.at("note"), "hello");
  EXPECT_THROW(f.get("absent"), std::runtime_error);
}

TEST(export, BadFilesAreRejected) {
  test::TempDir dir;
  const std::string good = dir.str("g.safetensors");
  write_safetensors(good, {{"w", torch::ones({4})}});
  const std::string bytes = test::file_bytes(good);
  std::ofstream(dir.str("short.safetensors"), std::ios::binary) << bytes.substr(0, 5);
  std::ofstream(dir.str("cut.safetensors"), std::ios::binary) << bytes.substr(0, bytes.size() - 4);
  std::string huge = bytes;
  huge[7] = 0x7f;  // header length far beyond the file
  std::ofstream(dir.str("huge.safetensors"), std::ios::binary) << huge;
  for (const char* name : {"short", "cut", "huge", "missing"})
    EXPECT_THROW(read_safetensors(dir.str(std::string(name) + ".safetensors")), std::runtime_error) << name;
}

TEST(export, BackboneStateHasTorchvisionNamesAndLoadsBack) {
  test::TempDir dir;
  torch::manual_seed(1);
  auto a = make_backbone("resnet18", 3);
  randomise_batchnorm(*a);
  const auto state = backbone_state(*a);
  std::set<std::string> names;
  for (const auto& [k, v] : state) names.insert(k);
  // torchvision's resnet18 state_dict has 122 entries; 2 are fc.weight/fc.bias (fc = Identity here).
  EXPECT_EQ(state.size(), 120u);
  for (const char* k : {"conv1.weight", "bn1.running_mean", "bn1.num_batches_tracked", "layer1.0.conv2.weight",
                        "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var", "layer4.1.bn2.bias"})
    EXPECT_TRUE(names.count(k)) << k;

  const std::string path = dir.str("b.safetensors");
  export_backbone_safetensors(*a, path, {{"backbone", "resnet18"}});
  auto b = make_backbone("resnet18", 3);
  load_backbone_safetensors(*b, path);
  a->eval();
  b->eval();
  const auto x = torch::randn({2, 3, 32, 32});
  EXPECT_TRUE(torch::equal(a->forward(x), b->forward(x)));
  EXPECT_EQ(read_safetensors(path).get("bn1.num_batches_tracked").item<int64_t>(), 7);
  // A file of another backbone is refused with the tensor's name.
  auto tiny = make_backbone("resnet-tiny", 3);
  try {
    load_backbone_safetensors(*tiny, path);
    FAIL() << "loaded resnet18 weights into resnet-tiny";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("conv1.weight"), std::string::npos) << e.what();
  }
}

TEST(export, TorchvisionResnet18LoadsTheExportAndAgrees) {
  const std::string python = find_python();
  if (python.empty()) GTEST_SKIP() << "no Python found (set PRETEXT_TEST_PYTHON)";
  test::TempDir dir;
  torch::manual_seed(2);
  auto m = make_backbone("resnet18", 3);
  randomise_batchnorm(*m);
  m->eval();
  const auto x = torch::randn({4, 3, 32, 32});
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = m->forward(x);
  }
  export_backbone_safetensors(*m, dir.str("w.safetensors"));
  write_safetensors(dir.str("io.safetensors"), {{"input", x}, {"features", y}});
  std::ofstream(dir.str("check.py")) << kTorchvisionCheck;
  const std::string cmd = "'" + python + "' " + dir.str("check.py") + " " + dir.str("w.safetensors") + " " +
                          dir.str("io.safetensors") + " > " + dir.str("out.txt") + " 2>&1";
  const int rc = std::system(cmd.c_str());
  const std::string out = test::file_bytes(dir.str("out.txt"));
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) GTEST_SKIP() << python << ": " << out;
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << out;
  EXPECT_NE(out.find("max abs diff"), std::string::npos) << out;
  std::cout << "torchvision check: " << out.substr(out.find("max abs diff"));
}

TEST(export, MetricsCsv) {
  test::TempDir dir;
  Store s(dir.str("m.db"));
  RunRecord r;
  r.name = "x";
  r.method = "simclr";
  r.config = "{}";
  const int64_t id = s.create_run(r);
  s.add_metrics({{id, 2, "loss", 0.125}, {id, 1, "loss", 0.5}, {id, 1, "lr", 1e-7}, {id, 1, "odd,name", 1.0 / 3}});
  EXPECT_EQ(write_metrics_csv(s, id, dir.str("out/m.csv")), 4u);
  EXPECT_EQ(lines(dir.str("out/m.csv")),
            (std::vector<std::string>{"step,name,value", "1,loss,0.5", "2,loss,0.125", "1,lr,1e-07",
                                      "1,\"odd,name\",0.333333333"}));
  EXPECT_THROW(write_metrics_csv(s, 99, dir.str("n.csv")), std::runtime_error);
}

TEST(export, EmbeddingsCsvAndProjector) {
  test::TempDir dir;
  ImageSet images;
  images.height = images.width = 4;
  images.channels = 3;
  images.pixels.resize(5 * 16 * 3);
  uint8_t* px = images.pixels.data();
  for (int i = 0; i < 5; ++i) {
    images.sources.push_back("img" + std::to_string(i) + ".png");
    for (int p = 0; p < 16; ++p, px += 3) {
      px[0] = static_cast<uint8_t>(50 * i);  // R
      px[1] = 0;                             // G
      px[2] = 255;                           // B
    }
  }
  EmbeddingTable t;
  t.n = 3;
  t.dim = 2;
  t.values = {1.5f, -2.f, 0.25f, 0.f, 3.f, 4.f};
  t.image_index = {0, 2, 4};
  t.labels = {1, 0, -1};
  t.class_names = {"cat", "dog"};
  t.sources = {"img0.png", "a,b.png", "img4.png"};
  write_embeddings_csv(t, dir.str("e.csv"));
  EXPECT_EQ(lines(dir.str("e.csv")), (std::vector<std::string>{"index,label,class,source,f0,f1", "0,1,dog,img0.png,1.5,-2",
                                                               "2,0,cat,\"a,b.png\",0.25,0", "4,-1,,img4.png,3,4"}));
  const auto files = write_projector(t, &images, dir.str("proj"));
  EXPECT_EQ(files.size(), 4u);
  EXPECT_EQ(lines(dir.str("proj/vectors.tsv")), (std::vector<std::string>{"1.5\t-2", "0.25\t0", "3\t4"}));
  EXPECT_EQ(lines(dir.str("proj/metadata.tsv")),
            (std::vector<std::string>{"index\tlabel\tclass", "0\t1\tdog", "2\t0\tcat", "4\t-1\t"}));
  // Sprite: 2x2 grid of 8 px cells (the 8 px minimum); cell 1 is image 2, pure red 100 with blue 255.
  const cv::Mat sprite = cv::imread(dir.str("proj/sprite.png"), cv::IMREAD_COLOR);
  ASSERT_FALSE(sprite.empty());
  EXPECT_EQ(sprite.cols, 16);
  EXPECT_EQ(sprite.rows, 16);
  EXPECT_EQ(sprite.at<cv::Vec3b>(4, 12), cv::Vec3b(255, 0, 100));  // BGR
  EXPECT_EQ(sprite.at<cv::Vec3b>(12, 12), cv::Vec3b(255, 255, 255));  // empty cell stays white
  const std::string config = test::file_bytes(dir.str("proj/projector_config.pbtxt"));
  EXPECT_NE(config.find("single_image_dim: 8"), std::string::npos) << config;
  EXPECT_NE(config.find("tensor_path: \"vectors.tsv\""), std::string::npos);
  t.labels.pop_back();
  EXPECT_THROW(write_embeddings_csv(t, dir.str("bad.csv")), std::invalid_argument);
}
