#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pretext {

// Everything that defines a run. Stored as JSON with the run so it can be reproduced exactly; the
// stored copy is resolved (engine/train/resolve.h), so it names every choice the run made.
struct TrainConfig {
  std::string name;
  std::string data;
  std::string eval_data;       // labelled images for the probe; empty: a held-out part of `data`
  std::string method = "simclr";
  std::string backbone = "auto";   // auto: method_params.backbone, the method's default (resolve.h)
  std::string pipeline;        // preset name or JSON file; empty: the method's default
  nlohmann::json pipeline_json;  // when set, used as is (the studio hands over its exact document)
  nlohmann::json method_params = nlohmann::json::object();  // over the method's defaults
  std::string device = "auto";
  int epochs = 1;
  int64_t steps = 0;           // > 0 overrides epochs
  double time_budget_s = 0;    // > 0: train this long (steps, if given, still cap it; epochs do not);
                               // the learning-rate schedule follows the time spent
  int batch = 128;
  std::string optimizer = "auto";  // sgd, lars, adamw; auto: method_params.optimizer, else sgd
  double lr = 0;               // 0: base_lr * batch / 256
  double base_lr = 0;          // 0: the method's (pretext-cli methods), else 0.06 (SGD, Lightly's CIFAR-10)
  double momentum = 0.9;
  double weight_decay = -1;    // negative: the method's, else 5e-4
  double warmup_fraction = 0.05;
  double clip_grad_norm = 0;   // > 0: clip the global gradient L2 norm to this
  double lars_eta = 0.001;     // LARS trust coefficient (Lightly's default)
  std::string amp = "off";     // off, bf16, fp16: autocast on CUDA (ignored on the CPU)
  bool channels_last = true;   // NHWC weights and batches (CPU and CUDA)
  int64_t checkpoint_every = 500;  // steps between checkpoints (0: only at stop); needs a database
  uint64_t seed = 0;
  int threads = 0;             // 0: all cores
  int workers = 0;             // loader threads augmenting ahead of the step; 0: all cores
  size_t limit = 0;            // use at most this many training images
  int resize = 0;
  int knn_k = 200;
  double knn_t = 0.1;
  size_t probe_queries = 1000; // held-out queries when no eval_data is given
  int diag_every = 20;         // steps between collapse diagnostics (0: never)
  int diag_batch = 256;        // images in the fixed diagnostics batch
  int online_knn = 500;        // labelled images for the online kNN at each diagnostic (0: off)
  int64_t probe_every = 0;     // steps between full probes during training (0: only at the end)
  // The probes the run schedules and ends with, by name in the probes table (engine/eval/probes.h).
  // The kNN probe always runs: the baselines and the run's headline read it.
  std::vector<std::string> probes = {"knn"};
  std::string data_fingerprint;  // of the images the run trained on (set by the trainer)
  std::string preset;          // the named recipe it started from (engine/train/presets.h), if any

  nlohmann::json to_json() const;
  // Throws std::invalid_argument for a key that is not a field, or a field of the wrong type.
  static TrainConfig from_json(const nlohmann::json& j);
};

}  // namespace pretext
