#include "engine/methods/dino.h"

#include <cmath>

#include "engine/methods/heads.h"
#include "engine/methods/method.h"

namespace pretext {
namespace nn = torch::nn;
namespace F = torch::nn::functional;

DINOHeadImpl::DINOHeadImpl(int64_t in, int64_t hidden, int64_t bottleneck, int64_t out) {
  mlp = register_module("mlp", nn::Sequential(nn::Linear(in, hidden), nn::GELU(), nn::Linear(hidden, hidden),
                                              nn::GELU(), nn::Linear(hidden, bottleneck)));
  // N(0, 0.02): the authors' trunc_normal_ cuts at +-2 (absolute), which never bites at this std.
  for (auto& m : mlp->modules(false)) {
    if (auto* lin = m->as<nn::Linear>()) {
      nn::init::normal_(lin->weight, 0.0, 0.02);
      nn::init::zeros_(lin->bias);
    }
  }
  last_layer_v = register_parameter("last_layer_v", torch::empty({out, bottleneck}));
  nn::init::normal_(last_layer_v, 0.0, 0.02);
}

torch::Tensor DINOHeadImpl::forward(const torch::Tensor& x) {
  auto opt = F::NormalizeFuncOptions().dim(1);
  return torch::mm(F::normalize(mlp->forward(x), opt), F::normalize(last_layer_v, opt).t());
}

torch::Tensor dino_loss(const std::vector<torch::Tensor>& teacher, const std::vector<torch::Tensor>& student,
                        const torch::Tensor& center, double teacher_temp, double student_temp) {
  torch::Tensor total = torch::zeros({}, student[0].options());
  int64_t terms = 0;
  for (size_t t = 0; t < teacher.size(); ++t) {
    // Centring (subtract the running mean) and sharpening (low temperature) keep the teacher from
    // collapsing to one prototype or to the uniform distribution (paper, sec. 3.1).
    auto q = torch::softmax((teacher[t].detach() - center) / teacher_temp, 1);
    for (size_t s = 0; s < student.size(); ++s) {
      if (s == t) continue;  // the same view is not its own target
      total = total + (-q * torch::log_softmax(student[s] / student_temp, 1)).sum(1).mean();
      ++terms;
    }
  }
  return total / double(std::max<int64_t>(1, terms));
}

double dino_teacher_temp(double warmup, double final_temp, int64_t step, int64_t warmup_steps) {
  if (step >= warmup_steps || warmup_steps <= 0) return final_temp;
  return warmup + (final_temp - warmup) * double(step) / double(warmup_steps);
}

MethodInfo dino_info() {
  // Student temperature 0.1, teacher 0.04 -> 0.07 warm-up over the first 30 of 300 epochs (a tenth),
  // centre momentum 0.9, tau 0.996 -> 1, AdamW with lr 5e-4 * batch/256 and weight decay 0.04 (paper,
  // sec. 3 and appendix; the authors' defaults; their cosine ramp of the decay to 0.4 is not done here).
  // Head 2048-2048-256 -> K; K = 4096 prototypes as solo-learn's CIFAR DINO
  // (scripts/pretrain/cifar/dino.yaml) instead of the ImageNet 65536.
  return {"dino",
          "DINO: self-distillation with a centred, sharpened EMA teacher; multi-crop (2 global + 4 local)",
          "dino",
          6,
          {{"num_prototypes", 4096}, {"proj_hidden", 2048}, {"proj_dim", 256}, {"student_temp", 0.1},
           {"teacher_temp", 0.07}, {"warmup_teacher_temp", 0.04}, {"warmup_teacher_temp_fraction", 0.1},
           {"center_momentum", 0.9}, {"base_tau", 0.996}, {"final_tau", 1.0}, {"optimizer", "adamw"},
           {"base_lr", 5e-4}, {"weight_decay", 0.04}}};
}

DINOImpl::DINOImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : student_temp_(param_double(p, "student_temp")), teacher_temp_(param_double(p, "teacher_temp")),
      warmup_teacher_temp_(param_double(p, "warmup_teacher_temp")),
      warmup_fraction_(param_double(p, "warmup_teacher_temp_fraction")),
      center_momentum_(param_double(p, "center_momentum")), base_tau_(param_double(p, "base_tau")),
      final_tau_(param_double(p, "final_tau")), tau_(base_tau_) {
  const int64_t hidden = param_int(p, "proj_hidden"), dim = param_int(p, "proj_dim"), k = param_int(p, "num_prototypes");
  backbone = register_module("backbone", bb);
  head = register_module("head", DINOHead(bb->feature_dim(), hidden, dim, k));
  target_backbone = register_module("target_backbone", bb->same_architecture());
  target_head = register_module("target_head", DINOHead(bb->feature_dim(), hidden, dim, k));
  copy_into_target(*backbone, *target_backbone);
  copy_into_target(*head, *target_head);
  center = register_buffer("center", torch::zeros({1, k}));
  progress_ = register_buffer("progress", torch::zeros({2}, torch::kLong));
}

void DINOImpl::restored() {
  const auto p = progress_.cpu();
  step_ = p[0].item<int64_t>();
  total_ = p[1].item<int64_t>();
}

double DINOImpl::teacher_temp() const {
  const int64_t step = step_, total = total_;
  if (total == 0) return warmup_teacher_temp_;  // before the first step the run's length is unknown
  return dino_teacher_temp(warmup_teacher_temp_, teacher_temp_, step,
                           static_cast<int64_t>(std::llround(warmup_fraction_ * double(total))));
}

std::vector<torch::Tensor> DINOImpl::student_outputs(const std::vector<torch::Tensor>& views) {
  std::vector<torch::Tensor> out;
  size_t i = 0;
  while (i < views.size()) {
    size_t j = i + 1;
    while (j < views.size() && views[j].sizes() == views[i].sizes()) ++j;
    std::vector<torch::Tensor> group(views.begin() + i, views.begin() + j);
    auto z = head->forward(backbone->forward(torch::cat(group, 0)));
    for (auto& c : z.chunk(int64_t(j - i), 0)) out.push_back(c);
    i = j;
  }
  return out;
}

LossOutput DINOImpl::compute(const Batch& batch) {
  const auto& views = batch.views;
  if (views.size() < 2) throw std::runtime_error("dino needs at least 2 views (2 global crops first)");
  auto student = student_outputs(views);
  std::vector<torch::Tensor> teacher;
  {
    torch::NoGradGuard no_grad;
    auto t = target_head->forward(target_backbone->forward(torch::cat({views[0], views[1]}, 0)));
    teacher = {t.chunk(2, 0)[0], t.chunk(2, 0)[1]};
    pending_center_ = t.mean(0, true);
  }
  const double tt = teacher_temp();
  auto loss = dino_loss(teacher, student, center, tt, student_temp_);
  torch::Tensor entropy;
  {
    torch::NoGradGuard no_grad;
    auto q = torch::softmax((torch::cat(teacher, 0) - center) / tt, 1);
    entropy = (-q * torch::log(q.clamp_min(1e-12))).sum(1).mean();
  }
  // Entropy near log(out_dim) means a uniform teacher, near 0 a one-hot one: both are DINO's collapses.
  return {loss, {{"distillation", loss.detach()}}, student[0].detach(), {{"teacher_entropy", entropy}}};
}

void DINOImpl::after_step(int64_t step, int64_t total_steps) {
  step_ = step;
  total_ = total_steps;
  progress_[0] = step;  // a device-side write: the checkpoint's copy of step_ and total_
  progress_[1] = total_steps;
  tau_ = cosine_tau(base_tau_, final_tau_, step - 1, total_steps);
  ema_update(*backbone, *target_backbone, tau_);
  ema_update(*head, *target_head, tau_);
  if (pending_center_.defined()) {
    torch::NoGradGuard no_grad;
    center.mul_(center_momentum_).add_(pending_center_, 1.0 - center_momentum_);
    pending_center_ = torch::Tensor();
  }
}

}  // namespace pretext
