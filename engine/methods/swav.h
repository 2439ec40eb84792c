#pragma once
#include "engine/methods/method.h"

namespace pretext {

// Sinkhorn-Knopp of SwAV (Caron et al. 2020, sec. 3.1 and the authors' distributed_sinkhorn):
// scores [B, K] -> codes [B, K] with each row summing to 1 and prototypes equally used.
torch::Tensor sinkhorn(const torch::Tensor& scores, double epsilon, int iterations);

// Swapped prediction: the codes of each assignment view (views 0 and 1) are predicted from every
// other view's softmax(scores / temperature); averaged over all pairs.
torch::Tensor swav_loss(const std::vector<torch::Tensor>& scores, const std::vector<torch::Tensor>& codes,
                        double temperature);

class SwAVImpl : public MethodImpl {
 public:
  SwAVImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  void after_step(int64_t step, int64_t total_steps) override;
  void restored() override;
  torch::Tensor embed(const torch::Tensor& x) override { return projector->forward(backbone->forward(x)); }

  bool queue_in_use() const;
  torch::nn::Sequential projector{nullptr};
  torch::nn::Linear prototypes{nullptr};
  torch::Tensor queue, queue_filled;  // [2, Q, D] past embeddings of the assignment views; rows filled

 private:
  void normalise_prototypes();
  double temperature_, epsilon_, queue_start_fraction_;
  int iterations_;
  torch::Tensor pending_;
  int64_t filled_ = 0;  // queue_filled on the host: the step decides on it without a GPU read
};

MethodInfo swav_info();

}  // namespace pretext
