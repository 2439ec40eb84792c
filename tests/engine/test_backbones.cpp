// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "engine/methods/method_info.h"
#include "engine/models/backbone.h"
#include "engine/models/vit.h"

using namespace pretext;

namespace {
int64_t count(torch::nn::Module& m) {
  int64_t n = 0;
  for (auto& p : m.parameters()) n += p.numel();
  return n;
}
bool has(torch::nn::Module& m, const std::string& name) { return m.named_parameters().contains(name); }
}  // namespace

TEST(backbones, ParameterCountsMatchTorchvision) {
  // torchvision's totals minus the classifier (fc / heads): resnet18 11,689,512 - 513,000;
  // resnet50 25,557,032 - 2,049,000; the CIFAR stem swaps the 7x7 conv (9,408) for a 3x3 (1,728).
  EXPECT_EQ(count(*make_backbone("resnet18-imagenet", 3)), 11176512);
  EXPECT_EQ(count(*make_backbone("resnet18", 3)), 11176512 - 9408 + 1728);
  EXPECT_EQ(count(*make_backbone("resnet50-imagenet", 3)), 23508032);
  EXPECT_EQ(count(*make_backbone("resnet34-imagenet", 3)), 21797672 - 513000);
  // DeiT-Tiny (ViT-Ti/16 at 224 px) has 5,717,416 parameters with its 192 x 1000 head.
  EXPECT_EQ(count(*make_backbone("vit-tiny/16@224", 3)), 5717416 - 193000);
  // ViT-S/16 (DeiT-Small): 22,050,664 with its 384 x 1000 head.
  EXPECT_EQ(count(*make_backbone("vit-small/16@224", 3)), 22050664 - 385000);
}

TEST(backbones, TorchvisionParameterNames) {
  auto r = make_backbone("resnet50", 3);
  for (const char* n : {"conv1.weight", "bn1.weight", "layer1.0.conv3.weight", "layer1.0.downsample.0.weight",
                        "layer1.0.downsample.1.bias", "layer4.2.bn3.weight"})
    EXPECT_TRUE(has(*r, n)) << n;
  EXPECT_TRUE(r->named_buffers().contains("layer2.0.downsample.1.running_mean"));
  auto v = make_backbone("vit-tiny", 3);
  for (const char* n : {"conv_proj.weight", "class_token", "encoder.pos_embedding",
                        "encoder.layers.encoder_layer_0.ln_1.weight",
                        "encoder.layers.encoder_layer_0.self_attention.in_proj_weight",
                        "encoder.layers.encoder_layer_0.self_attention.out_proj.weight",
                        "encoder.layers.encoder_layer_11.mlp.0.weight", "encoder.layers.encoder_layer_11.mlp.3.bias",
                        "encoder.ln.weight"})
    EXPECT_TRUE(has(*v, n)) << n;
}

TEST(backbones, OutputWidthsAndInputSizes) {
  torch::NoGradGuard g;
  struct Case {
    const char* name;
    int64_t channels, size, dim;
  };
  for (const Case& c : {Case{"resnet-tiny", 1, 28, 128}, Case{"resnet-small", 3, 32, 256}, Case{"convnet", 1, 28, 256},
                        Case{"resnet50", 3, 32, 2048}, Case{"resnet18-imagenet", 3, 64, 512},
                        Case{"vit-tiny", 3, 32, 192}, Case{"vit-tiny", 1, 28, 192}, Case{"vit-tiny/4", 3, 16, 192},
                        Case{"vit-small/8@64", 3, 64, 384}}) {
    auto b = make_backbone(c.name, c.channels);
    b->eval();
    auto y = b->forward(torch::randn({2, c.channels, c.size, c.size}));
    EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, c.dim})) << c.name << " at " << c.size;
    EXPECT_EQ(b->feature_dim(), c.dim) << c.name;
  }
}

TEST(backbones, PositionTableInterpolatesToOtherGrids) {
  auto v = std::dynamic_pointer_cast<ViTImpl>(make_backbone("vit-tiny/4@32", 3));
  ASSERT_TRUE(v);
  auto params = v->named_parameters();
  ASSERT_TRUE(params.contains("encoder.pos_embedding"));
  const torch::Tensor* table = &params["encoder.pos_embedding"];
  EXPECT_EQ(table->sizes(), (std::vector<int64_t>{1, 65, 192}));
  // The trained grid comes back unchanged; another grid is a bicubic resample of the patch part.
  auto& enc = *v->named_children()["encoder"]->as<TransformerImpl>();
  EXPECT_TRUE(torch::equal(enc.positions(8, 8), *table));
  auto p4 = enc.positions(4, 4);
  EXPECT_EQ(p4.sizes(), (std::vector<int64_t>{1, 17, 192}));
  EXPECT_TRUE(torch::equal(p4.slice(1, 0, 1), table->slice(1, 0, 1)));
}

TEST(backbones, SameArchitectureHasTheSameShapes) {
  for (const auto& name : backbone_names()) {
    if (name == "resnet50" || name == "resnet50-imagenet" || name == "vit-small") continue;  // slow to build twice
    auto a = make_backbone(name, 3);
    auto b = a->same_architecture();
    auto pa = a->named_parameters(), pb = b->named_parameters();
    ASSERT_EQ(pa.size(), pb.size()) << name;
    for (auto& item : pa) EXPECT_EQ(item.value().sizes(), pb[item.key()].sizes()) << name << " " << item.key();
  }
}

TEST(backbones, BadNamesAreRejectedClearly) {
  for (const char* n : {"resnet99", "vit-huge", "vit-tiny/0", "vit-tiny/x", "vit-tiny/16@8", "resnet-tiny-imagenet", ""})
    EXPECT_THROW(make_backbone(n, 3), std::runtime_error) << n;
  try {
    make_backbone("resnet99", 3);
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("known:"), std::string::npos);
  }
  for (const auto& name : backbone_names()) EXPECT_NO_THROW(make_backbone(name, 1)) << name;
}
