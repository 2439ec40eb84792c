#pragma once
#include <random>

#include "engine/methods/method.h"
#include "engine/models/vit.h"

namespace pretext {

// BEiT's blockwise masking (Bao et al. 2022, algorithm 1) on a rows x cols patch grid: rectangles of
// at least min_block patches and aspect ratio in [0.3, 1/0.3] at random places, each adding new
// patches without passing `count`, until `count` are masked or ten tries in a row add none (as the
// authors' generator, which can stop a few patches short). float [rows * cols], 1 = masked.
torch::Tensor block_mask(int64_t rows, int64_t cols, int64_t count, int64_t min_block, std::mt19937_64& rng);

// One mask per sample: "block" (above) or "random" (exactly `count` patches, uniformly). [n, rows*cols].
torch::Tensor draw_patch_masks(const std::string& masking, int64_t n, int64_t rows, int64_t cols, int64_t count,
                               int64_t min_block, std::mt19937_64& rng);

// The masked-prediction objective L = -(1/|M|) sum_{i in M} log p(code_i | corrupted image): a
// cross-entropy over the vocabulary at the masked positions only. logits [N, L, K], codes int64
// [N, L], mask [N, L] with 1 = masked.
torch::Tensor masked_token_loss(const torch::Tensor& logits, const torch::Tensor& codes, const torch::Tensor& mask);

// Masked patch prediction over a patch vocabulary (BEiT-style, without its dVAE tokenizer): masked
// patches enter the ViT as a learned mask token, and a linear head predicts each one's code, the
// nearest k-means centroid of its pixels (engine/methods/vocabulary.h).
class BEiTImpl : public MethodImpl {
 public:
  BEiTImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  // Mean of the patch tokens of the whole image, as BEiT's linear probes pool (paper, sec. 3.3).
  torch::Tensor features(const torch::Tensor& x) override;
  torch::Tensor embed(const torch::Tensor& x) override { return features(x); }
  std::string data_fit_key() const override;
  Fitted fit_to_data(const DataSample& sample) override;  // {the vocabulary}
  void use_fitted(const Fitted& fitted) override;
  void restored() override { fitted_ = true; }  // the checkpoint holds the vocabulary it trained with
  // The masked input, every patch drawn as its target code's centroid, and the prediction (the
  // predicted codes' centroids where masked); the masked-token accuracy. One fixed mask, so the
  // panel changes only as the network learns.
  Picture picture(const torch::Tensor& x) override;

  // The code of every patch of x [N, L]: the targets.
  torch::Tensor codes(const torch::Tensor& x) const;
  // Logits over the vocabulary for every patch [N, L, K], given which patches are masked.
  torch::Tensor predict(const torch::Tensor& x, const torch::Tensor& mask);

  torch::Tensor vocabulary;  // [K, patch*patch*C] centroids, a buffer: saved with the run
  torch::Tensor mask_token;
  torch::nn::Linear head{nullptr};

 private:
  int64_t masked_count(int64_t rows, int64_t cols) const;  // patches masked per image, at least one
  std::shared_ptr<ViTImpl> vit_;
  double mask_ratio_;
  std::string masking_;
  int64_t min_block_, fit_images_;
  bool fitted_ = false;
};

MethodInfo beit_info();

}  // namespace pretext
