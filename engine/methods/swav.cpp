#include "engine/methods/swav.h"

#include "engine/methods/heads.h"
#include "engine/methods/method.h"

namespace pretext {
namespace nn = torch::nn;
namespace F = torch::nn::functional;

torch::Tensor sinkhorn(const torch::Tensor& scores, double epsilon, int iterations) {
  torch::NoGradGuard no_grad;
  const double b = double(scores.size(0)), k = double(scores.size(1));
  // Subtracting the maximum changes nothing after the first normalisation but keeps exp finite.
  auto q = torch::exp((scores - scores.max()) / epsilon).t();  // [K, B]
  q /= q.sum();
  for (int it = 0; it < iterations; ++it) {
    q /= q.sum(1, true);  // each prototype gets mass 1/K
    q /= k;
    q /= q.sum(0, true);  // each sample gets mass 1/B
    q /= b;
  }
  return (q * b).t();
}

torch::Tensor swav_loss(const std::vector<torch::Tensor>& scores, const std::vector<torch::Tensor>& codes,
                        double temperature) {
  torch::Tensor total = torch::zeros({}, scores[0].options());
  int64_t terms = 0;
  for (size_t i = 0; i < codes.size(); ++i)
    for (size_t v = 0; v < scores.size(); ++v) {
      if (v == i) continue;
      total = total + (-codes[i] * torch::log_softmax(scores[v] / temperature, 1)).sum(1).mean();
      ++terms;
    }
  return total / double(std::max<int64_t>(1, terms));
}

MethodInfo swav_info() {
  // solo-learn's CIFAR SwAV (scripts/pretrain/cifar/swav.yaml): 3000 prototypes, temperature 0.1,
  // epsilon 0.05, 3 Sinkhorn iterations, queue 3840 started at epoch 50 of 1000 (a twentieth),
  // projector 2048 -> 128; LARS lr 0.6 * batch/256, weight decay 1e-6 (ibid.; the paper uses LARS too).
  return {"swav",
          "SwAV: online clustering to prototypes with Sinkhorn-Knopp, swapped prediction",
          "swav",
          2,
          {{"num_prototypes", 3000}, {"temperature", 0.1}, {"epsilon", 0.05}, {"sinkhorn_iterations", 3},
           {"queue_size", 3840}, {"queue_start_fraction", 0.05}, {"proj_hidden", 2048}, {"proj_dim", 128},
           {"optimizer", "lars"}, {"base_lr", 0.6}, {"weight_decay", 1e-6}}};
}

SwAVImpl::SwAVImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : temperature_(param_double(p, "temperature")), epsilon_(param_double(p, "epsilon")),
      queue_start_fraction_(param_double(p, "queue_start_fraction")),
      iterations_(static_cast<int>(param_int(p, "sinkhorn_iterations"))) {
  const int64_t dim = param_int(p, "proj_dim"), q = param_int(p, "queue_size");
  if (q < 0) throw std::runtime_error("swav: queue_size must be 0 (no queue) or more");
  backbone = register_module("backbone", bb);
  projector = register_module("projector", mlp(bb->feature_dim(), param_int(p, "proj_hidden"), dim, 2));
  prototypes = register_module("prototypes", nn::Linear(nn::LinearOptions(dim, param_int(p, "num_prototypes")).bias(false)));
  normalise_prototypes();
  queue = register_buffer("queue", torch::zeros({2, q, dim}));
  queue_filled = register_buffer("queue_filled", torch::zeros({1}, torch::kLong));
}

void SwAVImpl::normalise_prototypes() {
  torch::NoGradGuard no_grad;
  prototypes->weight.copy_(F::normalize(prototypes->weight, F::NormalizeFuncOptions().dim(1)));
}

bool SwAVImpl::queue_in_use() const { return queue.size(1) > 0 && filled_ >= queue.size(1); }

void SwAVImpl::restored() { filled_ = queue_filled.item<int64_t>(); }

LossOutput SwAVImpl::compute(const Batch& batch) {
  const auto& views = batch.views;
  if (views.size() < 2) throw std::runtime_error("swav needs at least 2 views");
  std::vector<torch::Tensor> z, scores;
  for (const auto& v : views) {
    z.push_back(F::normalize(projector->forward(backbone->forward(v)), F::NormalizeFuncOptions().dim(1)));
    scores.push_back(prototypes(z.back()));
  }
  std::vector<torch::Tensor> codes;
  {
    torch::NoGradGuard no_grad;
    const bool with_queue = queue_in_use();
    for (int64_t i = 0; i < 2; ++i) {
      auto s = scores[i].detach();
      const int64_t b = s.size(0);
      // Queued embeddings only enlarge the batch Sinkhorn balances over; their codes are dropped.
      if (with_queue) s = torch::cat({s, prototypes(queue[i])}, 0);
      codes.push_back(sinkhorn(s, epsilon_, iterations_).slice(0, 0, b));
    }
    pending_ = torch::stack({z[0].detach(), z[1].detach()});
  }
  auto loss = swav_loss(scores, codes, temperature_);
  return {loss, {{"swapped_prediction", loss.detach()}}, z[0].detach()};
}

void SwAVImpl::after_step(int64_t step, int64_t total_steps) {
  normalise_prototypes();
  if (!pending_.defined() || queue.size(1) == 0) return;
  if (double(step) >= queue_start_fraction_ * double(total_steps)) {
    torch::NoGradGuard no_grad;
    const int64_t q = queue.size(1), b = std::min<int64_t>(pending_.size(1), q);
    // Newest first: shift the old rows down, write the batch on top (as the authors' code).
    if (q > b) queue.slice(1, b).copy_(queue.slice(1, 0, q - b).clone());
    queue.slice(1, 0, b).copy_(pending_.slice(1, 0, b));
    filled_ = std::min<int64_t>(q, filled_ + b);
    queue_filled.fill_(filled_);
  }
  pending_ = torch::Tensor();
}

}  // namespace pretext
