#pragma once
// The masked-prediction tests' backbone.
#include <memory>

#include "engine/models/vit.h"

namespace pretext::test {

// A two-block ViT of width 32 on 16 px images in 4 px patches (16 patches); image_size 32 gives
// CIFAR-10's 8 x 8 grid of vit-tiny.
inline std::shared_ptr<ViTImpl> small_vit(int64_t channels = 1, int64_t image_size = 16) {
  ViTOptions o;
  o.dim = 32;
  o.depth = 2;
  o.heads = 2;
  o.mlp_dim = 64;
  o.patch = 4;
  o.image_size = image_size;
  o.in_channels = channels;
  return std::make_shared<ViTImpl>(o);
}

}  // namespace pretext::test
