#pragma once
#include "engine/methods/method.h"

namespace pretext {

// A fixed set of `count` permutations of n tiles with large pairwise Hamming distance (Noroozi &
// Favaro 2016, algorithm 1, made deterministic): starting from the identity, repeatedly add the
// permutation (in lexicographic order, first on ties) whose minimum distance to the chosen set is
// largest. Rows are permutations: row[i] = the tile shown at position i.
std::vector<std::vector<int64_t>> jigsaw_method_permutations(int64_t tiles, int64_t count);

// [N, C, H, W] -> [N, g*g, C, t, t] with t = floor(H / g), tiles row-major (a remainder is cropped).
torch::Tensor to_tiles(const torch::Tensor& x, int64_t grid);

// The inverse of to_tiles: [N, g*g, C, t, t] -> [N, C, g*t, g*t].
torch::Tensor from_tiles(const torch::Tensor& tiles, int64_t grid);

class JigsawImpl : public MethodImpl {
 public:
  JigsawImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;

  // Tiles shuffled by the permutations `labels` index; each tile standardised on its own so that
  // colour and brightness cannot tell neighbours apart (paper, sec. 3.1 "shortcuts").
  torch::Tensor shuffled_tiles(const torch::Tensor& x, const torch::Tensor& labels) const;
  // Image i shuffled by permutation i (as the network sees it), captioned with the network's guess.
  Picture picture(const torch::Tensor& x) override;
  torch::Tensor permutations;  // [P, g*g] long
  torch::nn::Sequential classifier{nullptr};

 private:
  int64_t grid_;
};

MethodInfo jigsaw_info();

}  // namespace pretext
