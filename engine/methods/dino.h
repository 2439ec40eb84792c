#pragma once
#include "engine/methods/method.h"

namespace pretext {

// DINO's projection head (Caron et al. 2021, sec. 3.1 and appendix): 3-layer MLP with GELU to a
// bottleneck, L2 normalisation, then a weight-normalised linear layer to K prototypes whose norm is
// fixed at 1 ("norm_last_layer"). Module names follow the authors' DINOHead (mlp, last_layer).
class DINOHeadImpl : public torch::nn::Module {
 public:
  DINOHeadImpl(int64_t in, int64_t hidden, int64_t bottleneck, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Sequential mlp{nullptr};
  torch::Tensor last_layer_v;  // [K, bottleneck]; each row is normalised before use
};
TORCH_MODULE(DINOHead);

// Cross-entropy between centred, sharpened teacher outputs of the global views and the student's
// outputs of every other view (paper, eq. 1 and algorithm 1), averaged over all pairs.
// teacher: one [N, K] tensor per global view; student: one per view (global views first).
torch::Tensor dino_loss(const std::vector<torch::Tensor>& teacher, const std::vector<torch::Tensor>& student,
                        const torch::Tensor& center, double teacher_temp, double student_temp);

// Teacher temperature: linear warm-up from `warmup` to `final` over the first warmup_steps steps.
double dino_teacher_temp(double warmup, double final_temp, int64_t step, int64_t warmup_steps);

class DINOImpl : public MethodImpl {
 public:
  DINOImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  void after_step(int64_t step, int64_t total_steps) override;
  void restored() override;
  torch::Tensor embed(const torch::Tensor& x) override { return head->forward(backbone->forward(x)); }

  double teacher_temp() const;  // the value the next compute() uses
  double tau() const { return tau_; }
  torch::Tensor center;  // [1, K]
  DINOHead head{nullptr}, target_head{nullptr};
  std::shared_ptr<BackboneImpl> target_backbone;

 private:
  // The student sees every view; views of one size go through the backbone together.
  std::vector<torch::Tensor> student_outputs(const std::vector<torch::Tensor>& views);
  double student_temp_, teacher_temp_, warmup_teacher_temp_, warmup_fraction_, center_momentum_;
  double base_tau_, final_tau_, tau_;
  // [steps done, total steps] as a buffer, so a checkpoint restores the teacher-temperature
  // schedule together with the weights.
  torch::Tensor progress_;       // [step, total]: checkpointed
  int64_t step_ = 0, total_ = 0;  // progress_ on the host, so the schedule never reads the GPU
  torch::Tensor pending_center_;
};

MethodInfo dino_info();

}  // namespace pretext
