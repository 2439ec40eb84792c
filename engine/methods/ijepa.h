#pragma once
#include <vector>

#include "engine/methods/method.h"
#include "engine/models/vit.h"

namespace pretext {

// The patch indices [N, K] where selected [N, L] holds, row-major, the first K of each image with K
// the smallest count in the batch (the authors' collator trims every image to the batch's minimum so
// that the rows stack). Throws, naming `what`, when an image has none.
torch::Tensor selected_patches(const torch::Tensor& selected, const std::string& what);

// The context patches and each target block's patches of a batch of jepa_blocks masks (uint8
// [N, L], engine/augment/ops.h): bit 0 clear = context, bit 1 + i set = target block i.
struct JepaBlockIndices {
  torch::Tensor context;               // [N, C]
  std::vector<torch::Tensor> targets;  // per block [N, T_i]
};
JepaBlockIndices block_indices_of(const torch::Tensor& masks);

// I-JEPA's objective (Assran et al. 2023, eq. 1): the squared L2 distance between each predicted and
// target patch representation, averaged over the blocks, their patches and the dimensions.
torch::Tensor jepa_loss(const std::vector<torch::Tensor>& predictions, const std::vector<torch::Tensor>& targets);

// I-JEPA: from a context block, a narrow ViT predictor predicts the representations that an EMA
// target encoder gives the patches of several target blocks. No augmentation makes the views: the
// blocks come from the pipeline's jepa_blocks op, so the studio shows them as training draws them.
class IJEPAImpl : public MethodImpl {
 public:
  IJEPAImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  void after_step(int64_t step, int64_t total_steps) override;
  // The mean of the context encoder's patch tokens over the whole image (the paper's probes average
  // pool the last layer, appendix B).
  torch::Tensor features(const torch::Tensor& x) override;
  torch::Tensor embed(const torch::Tensor& x) override { return features(x); }
  // Fixed blocks on each image: the context, the targets, and each target patch drawn as the patch of
  // these images whose target representation is nearest its prediction; the share found exactly.
  Picture picture(const torch::Tensor& x) override;

  // Every patch's target representation [N, L, D], layer-normalised as the authors do, no gradient.
  torch::Tensor target_representations(const torch::Tensor& x);
  // The predictor's representation of each target block's patches from the context patches of x.
  std::vector<torch::Tensor> predict(const torch::Tensor& x, const JepaBlockIndices& blocks);
  double tau() const { return tau_; }  // the value used by the last after_step

  std::shared_ptr<ViTImpl> target_vit;
  torch::nn::Linear predictor_embed{nullptr}, predictor_proj{nullptr};
  Transformer predictor{nullptr};
  torch::Tensor mask_token;

 private:
  std::shared_ptr<ViTImpl> vit_;
  double base_tau_, final_tau_, tau_;
};

MethodInfo ijepa_info();

}  // namespace pretext
