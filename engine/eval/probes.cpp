#include "engine/eval/probes.h"

#include <stdexcept>

#include "engine/eval/knn.h"
#include "engine/eval/linear_probe.h"

namespace pretext {

const std::vector<ProbeKind>& probe_kinds() {
  static const std::vector<ProbeKind> kinds = {
      {"knn", "kNN",
       "Weighted kNN on cosine similarity (InstDisc): each of the k nearest bank images votes exp(s/T) for its "
       "class; top-1 and top-5",
       knn_probe_event},
      {"linear", "linear",
       "Linear probe: logistic regression on the frozen, standardised features (L-BFGS; weight decay chosen on "
       "held-out training features); test and train accuracy, confusion matrix",
       linear_probe_event},
      {"centroid", "nearest class mean",
       "Nearest class mean: each query takes the class whose mean bank feature is most cosine-similar; nothing to "
       "choose or fit, it asks whether the classes form compact groups; top-1 and top-5",
       centroid_probe_event},
  };
  return kinds;
}

const ProbeKind& probe_kind(const std::string& name) {
  std::string known;
  for (const auto& k : probe_kinds()) {
    if (k.name == name) return k;
    known += (known.empty() ? "" : ", ") + k.name;
  }
  throw std::invalid_argument("unknown probe '" + name + "' (known: " + known + ")");
}

}  // namespace pretext
