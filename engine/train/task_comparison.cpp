#include "engine/train/task_comparison.h"

#include <algorithm>
#include <cstdio>

#include "engine/methods/method_info.h"

namespace pretext {
namespace {

bool is_vit(const std::string& backbone) { return backbone.rfind("vit", 0) == 0; }

std::string percent(double fraction) {
  if (fraction < 0) return "-";
  char s[16];
  std::snprintf(s, sizeof s, "%.2f %%", 100.0 * fraction);
  return s;
}

}  // namespace

std::vector<std::string> default_compared_methods(const std::string& backbone) {
  std::vector<std::string> out;
  for (const auto& m : method_infos()) {
    if (m.family != MethodInfo::kPretextTask) continue;
    if (is_vit(m.defaults.value("backbone", "")) && !is_vit(backbone)) continue;
    out.push_back(m.name);
  }
  out.push_back("simclr");
  return out;
}

std::vector<TrainConfig> task_comparison_configs(const TrainConfig& base, const std::vector<std::string>& methods) {
  const TrainConfig fresh;
  std::vector<TrainConfig> out;
  for (const auto& method : methods) {
    method_info(method);  // throws for an unknown name, before anything trains
    TrainConfig c = base;
    c.method = method;
    c.method_params = fresh.method_params;
    c.pipeline = fresh.pipeline;
    c.pipeline_json = fresh.pipeline_json;
    c.optimizer = fresh.optimizer;
    c.lr = fresh.lr;
    c.base_lr = fresh.base_lr;
    c.weight_decay = fresh.weight_decay;
    c.preset = fresh.preset;
    c.name = (base.name.empty() ? "compare" : base.name) + "-" + method;
    out.push_back(c);
  }
  return out;
}

void OutcomeRecorder::on_event(const Event& e) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (const auto* p = std::get_if<ProbeEvent>(&e)) {
      if (p->end_of_run && p->kind == "knn") outcome_.knn = p->accuracy;
      else if (p->end_of_run) outcome_.probes.emplace_back(p->kind, p->accuracy);
    } else if (const auto* b = std::get_if<BaselineEvent>(&e)) {
      if (b->scope == "final") (b->baseline == "raw_pixels" ? outcome_.raw_pixels : outcome_.untrained) = b->accuracy;
    } else if (const auto* s = std::get_if<StepEvent>(&e)) {
      outcome_.steps = s->step;
    } else if (const auto* r = std::get_if<RunStarted>(&e)) {
      outcome_.run_id = r->run_id;
    } else if (const auto* f = std::get_if<RunFinished>(&e)) {
      outcome_.status = f->status;
      outcome_.message = f->message;
    }
  }
  next_.on_event(e);
}

TaskOutcome OutcomeRecorder::outcome() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outcome_;
}

std::string describe_task_comparison(std::vector<TaskOutcome> outcomes) {
  std::stable_sort(outcomes.begin(), outcomes.end(), [](const TaskOutcome& a, const TaskOutcome& b) {
    const bool ra = a.knn >= 0, rb = b.knn >= 0;
    return ra != rb ? ra : a.knn > b.knn;
  });
  size_t width = 6;
  std::vector<std::string> kinds;  // the other probes, in the order they first appear
  for (const auto& o : outcomes) {
    width = std::max(width, o.method.size());
    for (const auto& [kind, accuracy] : o.probes)
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  }
  const auto other_probes = [&](const TaskOutcome& o, bool header) {
    std::string cells;
    for (const auto& kind : kinds) {
      double value = -1;
      for (const auto& [k, accuracy] : o.probes)
        if (k == kind) value = accuracy;
      char cell[64];
      std::snprintf(cell, sizeof cell, "%9s  ", header ? kind.c_str() : percent(value).c_str());
      cells += cell;
    }
    return cells;
  };
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-*s  %4s  %6s  %9s  ", int(width), "method", "run", "steps", "kNN");
  out += line + other_probes({}, true);
  std::snprintf(line, sizeof line, "%9s  %10s  %s\n", "untrained", "raw pixels", "gain over untrained");
  out += line;
  for (const auto& o : outcomes) {
    std::string gain = "-";
    if (o.knn >= 0 && o.untrained >= 0) {
      char g[32];
      std::snprintf(g, sizeof g, "%+.2f points", 100.0 * (o.knn - o.untrained));
      gain = g;
    }
    if (o.knn < 0 && !o.message.empty()) gain = o.status + ": " + o.message;
    std::snprintf(line, sizeof line, "%-*s  %4lld  %6lld  %9s  ", int(width), o.method.c_str(),
                  static_cast<long long>(o.run_id), static_cast<long long>(o.steps), percent(o.knn).c_str());
    out += line + other_probes(o, false);
    std::snprintf(line, sizeof line, "%9s  %10s  ", percent(o.untrained).c_str(), percent(o.raw_pixels).c_str());
    out += line + gain + "\n";
  }
  return out;
}

}  // namespace pretext
