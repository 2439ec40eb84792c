#include "engine/train/run_data.h"

#include "engine/augment/pipeline.h"

namespace pretext {

bool RunData::can_probe() const {
  return train->has_labels() && query_set().has_labels() && !bank.empty() && !query.empty();
}

void split_probe(const ImageSet& train, size_t max_queries, std::vector<size_t>& bank, std::vector<size_t>& query) {
  bank.clear();
  query.clear();
  if (!train.has_labels()) return;
  const size_t q = std::min(max_queries, train.size() / 5);
  std::vector<bool> is_query(train.size(), false);
  for (size_t i : spread_indices(train.size(), q)) is_query[i] = true;
  for (size_t i = 0; i < train.size(); ++i) (is_query[i] ? query : bank).push_back(i);
}

RunData prepare_run_data(const TrainConfig& cfg, const std::string& data, const std::string& eval_data) {
  RunData d;
  LoadOptions lo;
  lo.limit = cfg.limit;
  lo.resize = cfg.resize;
  d.train = std::make_shared<const ImageSet>(load_images(data.empty() ? cfg.data : data, lo));

  d.stats = channel_stats(*d.train);
  if (cfg.pipeline_json.is_object()) {
    const Pipeline p = Pipeline::from_json(cfg.pipeline_json);
    if (!p.mean.empty()) d.stats = {p.mean, p.std};
  }

  const std::string eval_path = eval_data.empty() ? cfg.eval_data : eval_data;
  if (!eval_path.empty()) {
    LoadOptions el;
    el.resize = d.train->height;
    d.eval = std::make_shared<const ImageSet>(load_images(eval_path, el));
    for (size_t i = 0; i < d.train->size(); ++i) d.bank.push_back(i);
    for (size_t i = 0; i < d.eval->size(); ++i) d.query.push_back(i);
  } else {
    split_probe(*d.train, cfg.probe_queries, d.bank, d.query);
  }
  return d;
}

}  // namespace pretext
