// The nearest-class-mean probe: each query takes the class whose mean bank feature is most
// cosine-similar to it (Mensink et al. 2013's nearest class mean classifier). No neighbours to
// choose and nothing to fit: it asks whether the classes form compact groups around their centres,
// which kNN (local neighbourhoods) and the linear probe (any separating plane) do not.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/eval/probes.h"

namespace pretext {

ProbeEvent centroid_probe_event(const ProbeData& d, const ProbeOptions&, const CancelFn& cancelled) {
  throw_if_cancelled(cancelled);
  torch::NoGradGuard no_grad;
  const auto bank_keep = d.bank_labels >= 0, query_keep = d.query_labels >= 0;
  const auto bank = d.bank.index({bank_keep}).to(torch::kFloat32), query = d.query.index({query_keep}).to(torch::kFloat32);
  const auto bank_y = d.bank_labels.index({bank_keep}).to(torch::kLong), query_y = d.query_labels.index({query_keep}).to(torch::kLong);
  ProbeEvent e;
  e.kind = "centroid";
  e.queries = query_y.size(0);
  e.bank = bank_y.size(0);
  e.params = "{}";
  if (e.queries == 0 || e.bank == 0) return e;
  const int64_t classes = std::max(bank_y.max().item<int64_t>(), query_y.max().item<int64_t>()) + 1;
  // Class means of the bank, L2-normalised so the comparison is a cosine; a class absent from the
  // bank gets a zero mean and never wins.
  auto means = torch::zeros({classes, bank.size(1)}).index_add_(0, bank_y, bank);
  means = torch::nn::functional::normalize(means, torch::nn::functional::NormalizeFuncOptions().dim(1));
  const auto scores = torch::matmul(torch::nn::functional::normalize(query, torch::nn::functional::NormalizeFuncOptions().dim(1)),
                                    means.t());
  e.accuracy = scores.argmax(1).eq(query_y).to(torch::kDouble).mean().item<double>();
  const auto top = std::get<1>(scores.topk(std::min<int64_t>(5, classes), 1));
  e.top5 = top.eq(query_y.unsqueeze(1)).any(1).to(torch::kDouble).mean().item<double>();
  return e;
}

}  // namespace pretext
