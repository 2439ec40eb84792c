#include "engine/eval/linear_probe.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <map>
#include <stdexcept>

namespace pretext {
namespace {

struct Labelled {
  torch::Tensor x, y;
};

Labelled labelled_rows(const torch::Tensor& x, const torch::Tensor& y) {
  const auto keep = y >= 0;
  return {x.index({keep}).to(torch::kFloat32), y.index({keep}).to(torch::kLong)};
}

struct Classifier {
  torch::Tensor weight, bias;  // [D, C], [C]
  torch::Tensor predict(const torch::Tensor& x) const { return torch::addmm(bias, x, weight).argmax(1); }
};

// Minimises mean cross-entropy + weight_decay / 2 * |W|^2 with L-BFGS (strong Wolfe line search).
Classifier fit(const Labelled& d, int64_t classes, double weight_decay, int iterations, const CancelFn& cancelled) {
  torch::AutoGradMode grad(true);
  Classifier c{torch::zeros({d.x.size(1), classes}, torch::requires_grad()), torch::zeros({classes}, torch::requires_grad())};
  // Stops at a tolerance, like scikit-learn's lbfgs (tol 1e-4 on the gradient); max_iter is only a
  // cap (scikit-learn needed up to ~960 iterations at weak decay on 512-d features).
  torch::optim::LBFGS opt({c.weight, c.bias}, torch::optim::LBFGSOptions(1.0)
                                                  .max_iter(iterations)
                                                  .tolerance_grad(1e-5)
                                                  .tolerance_change(1e-9)
                                                  .history_size(20)
                                                  .line_search_fn("strong_wolfe"));
  auto closure = [&] {
    throw_if_cancelled(cancelled);
    opt.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(torch::addmm(c.bias, d.x, c.weight), d.y) +
                0.5 * weight_decay * c.weight.pow(2).sum();
    loss.backward();
    return loss;
  };
  opt.step(closure);
  c.weight = c.weight.detach();
  c.bias = c.bias.detach();
  return c;
}

double accuracy(const Classifier& c, const Labelled& d) {
  if (d.y.size(0) == 0) return 0;
  return c.predict(d.x).eq(d.y).to(torch::kDouble).mean().item<double>();
}

// The weight decay with the best held-out accuracy (ties: the weaker decay, the earlier grid entry).
// A best value on an edge of the grid that beats its neighbour says the optimum may lie beyond it:
// the grid then grows a decade that way, at most kExtraDecades times each way.
double choose_weight_decay(const Labelled& fit_part, const Labelled& hold_part, int64_t classes,
                           const std::vector<double>& grid, int iterations, const CancelFn& cancelled) {
  constexpr int kExtraDecades = 3;
  std::map<double, double> held_out;  // weight decay -> accuracy, ascending
  const auto score = [&](double wd) { held_out[wd] = accuracy(fit(fit_part, classes, wd, iterations, cancelled), hold_part); };
  for (double wd : grid) score(wd);
  int lower = 0, upper = 0;
  while (true) {
    auto best = held_out.begin();
    for (auto it = held_out.begin(); it != held_out.end(); ++it)
      if (it->second > best->second) best = it;
    if (held_out.size() < 2) return best->first;
    if (best == held_out.begin() && best->second > std::next(best)->second && lower < kExtraDecades) {
      ++lower;
      score(best->first / 10);
    } else if (std::next(best) == held_out.end() && best->second > std::prev(best)->second && upper < kExtraDecades) {
      ++upper;
      score(best->first * 10);
    } else {
      return best->first;
    }
  }
}

}  // namespace

ProbeEvent linear_probe_event(const ProbeData& d, const ProbeOptions&, const CancelFn& cancelled) {
  LinearProbeOptions options;
  options.cancelled = cancelled;
  const LinearProbeResult r = linear_probe(d.bank, d.bank_labels, d.query, d.query_labels, options);
  ProbeEvent e;
  e.kind = "linear";
  e.accuracy = r.test_accuracy;
  e.queries = r.test;
  e.bank = r.train;
  e.train_accuracy = r.train_accuracy;
  e.params = nlohmann::json({{"weight_decay", r.weight_decay}}).dump();
  e.confusion = r.confusion;
  return e;
}

LinearProbeResult linear_probe(const torch::Tensor& train_x, const torch::Tensor& train_y, const torch::Tensor& test_x,
                               const torch::Tensor& test_y, const LinearProbeOptions& o) {
  torch::NoGradGuard no_grad;
  Labelled train = labelled_rows(train_x, train_y), test = labelled_rows(test_x, test_y);
  if (train.y.size(0) < 2) throw std::invalid_argument("the linear probe needs at least 2 labelled training images");
  if (o.weight_decays.empty()) throw std::invalid_argument("the linear probe needs at least one weight decay");
  const int64_t classes =
      std::max(train.y.max().item<int64_t>(), test.y.size(0) ? test.y.max().item<int64_t>() : 0) + 1;

  // Standardise with the training statistics only.
  const auto mean = train.x.mean(0, true), std = train.x.std(0, true, true).clamp_min(1e-6);
  train.x = (train.x - mean) / std;
  test.x = (test.x - mean) / std;

  // Choose the weight decay on a fixed held-out part of the training features.
  double best_wd = o.weight_decays.front();
  if (o.weight_decays.size() > 1) {
    const int64_t n = train.y.size(0), held = std::max<int64_t>(1, int64_t(o.holdout_fraction * double(n)));
    const auto order = torch::randperm(n, torch::Generator(at::detail::createCPUGenerator(o.seed)), torch::kLong);
    const Labelled fit_part{train.x.index_select(0, order.slice(0, held)), train.y.index_select(0, order.slice(0, held))};
    const Labelled hold_part{train.x.index_select(0, order.slice(0, 0, held)), train.y.index_select(0, order.slice(0, 0, held))};
    best_wd = choose_weight_decay(fit_part, hold_part, classes, o.weight_decays, o.max_iterations, o.cancelled);
  }

  const Classifier c = fit(train, classes, best_wd, o.max_iterations, o.cancelled);
  LinearProbeResult r;
  r.weight_decay = best_wd;
  r.classes = classes;
  r.train = train.y.size(0);
  r.test = test.y.size(0);
  r.train_accuracy = accuracy(c, train);
  r.test_accuracy = accuracy(c, test);
  r.confusion.assign(size_t(classes * classes), 0);
  if (r.test > 0) {
    const auto pred = c.predict(test.x);
    const auto cells = torch::bincount(test.y * classes + pred, {}, classes * classes).to(torch::kLong).contiguous();
    std::copy(cells.data_ptr<int64_t>(), cells.data_ptr<int64_t>() + classes * classes, r.confusion.begin());
  }
  return r;
}

}  // namespace pretext
