#include "engine/eval/umap.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "engine/core/parallel.h"
#include "engine/core/seed.h"

namespace pretext {
namespace {

constexpr size_t kPointsPerTask = 256;  // see parallel_for_chunks

// Each point's sigma such that its memberships sum to log2(neighbours) (umap-learn's
// smooth_knn_dist, local connectivity 1), by bisection.
double membership_scale(const std::vector<double>& d, double rho, double mean_distance, double target) {
  double lo = 0, hi = std::numeric_limits<double>::infinity(), mid = 1;
  for (int it = 0; it < 64; ++it) {
    double sum = 0;
    for (double v : d) sum += v - rho > 0 ? std::exp(-(v - rho) / mid) : 1.0;
    if (std::abs(sum - target) < 1e-5) break;
    if (sum > target) {
      hi = mid;
      mid = (lo + hi) / 2;
    } else {
      lo = mid;
      mid = std::isinf(hi) ? mid * 2 : (lo + hi) / 2;
    }
  }
  // A floor against a zero scale where neighbours sit at one distance (umap-learn's MIN_K_DIST_SCALE).
  return std::max(mid, 1e-3 * mean_distance);
}

// Every edge a point owns, sampled at its own rate, as umap-learn's optimize_layout_euclidean.
struct LayoutEdges {
  std::vector<size_t> row_start;  // by head
  std::vector<int64_t> tail;
  std::vector<double> epochs_per_sample;
};

LayoutEdges layout_edges(const std::vector<FuzzyEdge>& graph, size_t n, int epochs) {
  double max_w = 0;
  for (const auto& e : graph) max_w = std::max(max_w, e.weight);
  LayoutEdges out;
  out.row_start.assign(n + 1, 0);
  for (const auto& e : graph) {
    // Edges too weak to be sampled once in the whole schedule are dropped, as umap-learn does.
    if (e.weight < max_w / epochs) continue;
    out.tail.push_back(e.tail);
    out.epochs_per_sample.push_back(max_w / e.weight);
    ++out.row_start[size_t(e.head) + 1];
  }
  for (size_t i = 0; i < n; ++i) out.row_start[i + 1] += out.row_start[i];
  return out;
}

std::vector<double> starting_layout(const std::vector<float>& init, size_t n, uint64_t seed) {
  std::vector<double> y(2 * n);
  if (init.empty()) {
    Rng rng(mix_seed(seed, 0x0a3a));
    for (auto& v : y) v = rng.uniform(-10, 10);
    return y;
  }
  if (init.size() != 2 * n) throw std::invalid_argument("umap: init must have n x 2 values");
  // Each axis rescaled to [0, 10], as umap-learn does with any initialisation.
  for (int axis = 0; axis < 2; ++axis) {
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (size_t i = 0; i < n; ++i) lo = std::min(lo, init[2 * i + axis]), hi = std::max(hi, init[2 * i + axis]);
    const double span = hi > lo ? double(hi) - lo : 1.0;
    for (size_t i = 0; i < n; ++i) y[2 * i + axis] = 10.0 * (double(init[2 * i + axis]) - lo) / span;
  }
  return y;
}

double clip(double v) { return std::max(-4.0, std::min(4.0, v)); }

// umap-learn's optimize_layout_euclidean: each edge is sampled at its own rate, pulls its head towards
// its tail and brings negative samples that push the head away; the step size decays with the epochs.
class LayoutSgd {
 public:
  LayoutSgd(LayoutEdges edges, std::vector<double> start, UmapCurve curve, const UmapOptions& o)
      : edges_(std::move(edges)), next_sample_(edges_.epochs_per_sample), next_negative_(next_sample_.size()),
        previous_(std::move(start)), current_(previous_), curve_(curve), o_(o), n_(previous_.size() / 2) {
    for (size_t e = 0; e < next_negative_.size(); ++e) next_negative_[e] = edges_.epochs_per_sample[e] / o.negative_sample_rate;
  }

  // Moves the points block by block, each block against the positions the blocks before it reached this
  // epoch (umap-learn's sequential SGD lets a move travel along the graph within the epoch; moving
  // every point against the last epoch's layout made 200 epochs too few at 70,000 points). The points
  // of one block read each other's positions from before the block: the same layout whatever the
  // thread count.
  void run_epoch(int epoch, double alpha) {
    const size_t sweeps = std::max<size_t>(1, std::min<size_t>(size_t(o_.sweeps), n_));
    const size_t block = (n_ + sweeps - 1) / sweeps;
    for (size_t first = 0; first < n_; first += block) {
      const size_t last = std::min(n_, first + block);
      parallel_for_chunks(last - first, kPointsPerTask, [&](size_t k) { move_point(first + k, epoch, alpha); },
                          o_.threads);
      std::copy(current_.begin() + std::ptrdiff_t(2 * first), current_.begin() + std::ptrdiff_t(2 * last),
                previous_.begin() + std::ptrdiff_t(2 * first));
    }
  }

  std::vector<float> layout() const { return {current_.begin(), current_.end()}; }

 private:
  // Point i by its edges sampled this epoch and their negative samples, against previous_.
  void move_point(size_t i, int epoch, double alpha) {
    const double a = curve_.a, b = curve_.b;
    uint64_t state = mix_seed(o_.seed, uint64_t(epoch), i);
    double yi[2] = {current_[2 * i], current_[2 * i + 1]};
    for (size_t e = edges_.row_start[i]; e < edges_.row_start[i + 1]; ++e) {
      if (next_sample_[e] > epoch) continue;
      const auto j = size_t(edges_.tail[e]);
      const double dx[2] = {yi[0] - previous_[2 * j], yi[1] - previous_[2 * j + 1]};
      const double d2 = dx[0] * dx[0] + dx[1] * dx[1];
      // Attraction 1 / (1 + a d^2b) pulls i towards j. umap-learn moves both ends of each of the
      // pair's two directed edges; here each end moves itself, by both.
      // d^2b in float, as umap-learn computes its whole layout: the powers are most of the time.
      const double p = d2 > 0 ? std::pow(float(d2), float(b)) : 0.0;
      const double pull = d2 > 0 ? -2 * a * b * (p / d2) / (a * p + 1) : 0.0;
      for (int k = 0; k < 2; ++k) yi[k] += 2 * clip(pull * dx[k]) * alpha;
      next_sample_[e] += edges_.epochs_per_sample[e];
      const double per_negative = edges_.epochs_per_sample[e] / o_.negative_sample_rate;
      const auto negatives = int64_t((epoch - next_negative_[e]) / per_negative);
      // The negative samples all push from where the attraction left i and their pushes are added
      // up: umap-learn moves i after each, which chains every sample's power and division onto the
      // one before (most of the layout's time); a push is small against far-off points.
      double push[2] = {0, 0};
      for (int64_t s = 0; s < negatives; ++s) {
        const size_t other = uniform_index(splitmix64(state++));
        if (other == i) continue;
        const double ox = yi[0] - previous_[2 * other], oy = yi[1] - previous_[2 * other + 1];
        const double o2 = ox * ox + oy * oy;
        const double c = 2 * b / ((0.001 + o2) * (a * std::pow(float(o2), float(b)) + 1));
        push[0] += o2 > 0 ? clip(c * ox) : 4.0;
        push[1] += o2 > 0 ? clip(c * oy) : 4.0;
      }
      for (int k = 0; k < 2; ++k) yi[k] += push[k] * alpha;
      next_negative_[e] += double(negatives) * per_negative;
    }
    current_[2 * i] = yi[0], current_[2 * i + 1] = yi[1];
  }

  // A draw in [0, n) by multiply and shift (Lemire 2019): a 64-bit division per sample cost more.
  size_t uniform_index(uint64_t r) const { return size_t((static_cast<unsigned __int128>(r) * n_) >> 64); }

  const LayoutEdges edges_;
  std::vector<double> next_sample_, next_negative_;
  std::vector<double> previous_, current_;
  const UmapCurve curve_;
  const UmapOptions& o_;
  const size_t n_;
};

}  // namespace

UmapCurve umap_curve(double min_dist, double spread) {
  // Levenberg-Marquardt on the two parameters, from a = b = 1 (scipy's curve_fit in umap-learn).
  constexpr int kSamples = 300;
  std::vector<double> xs(kSamples), ys(kSamples);
  for (int s = 0; s < kSamples; ++s) {
    xs[s] = 3 * spread * s / (kSamples - 1);
    ys[s] = xs[s] < min_dist ? 1.0 : std::exp(-(xs[s] - min_dist) / spread);
  }
  auto residuals = [&](double a, double b) {
    double sum = 0;
    for (int s = 0; s < kSamples; ++s) {
      const double r = 1 / (1 + a * std::pow(xs[s], 2 * b)) - ys[s];
      sum += r * r;
    }
    return sum;
  };
  double a = 1, b = 1, lambda = 1e-3, cost = residuals(a, b);
  for (int it = 0; it < 500 && lambda < 1e12; ++it) {
    double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
    for (int s = 0; s < kSamples; ++s) {
      if (xs[s] <= 0) continue;  // f(0) = 1 whatever a and b
      const double p = std::pow(xs[s], 2 * b), den = 1 + a * p, f = 1 / den, r = f - ys[s];
      const double da = -p / (den * den), db = -a * p * 2 * std::log(xs[s]) / (den * den);
      jaa += da * da, jab += da * db, jbb += db * db, ga += da * r, gb += db * r;
    }
    const double maa = jaa * (1 + lambda), mbb = jbb * (1 + lambda), det = maa * mbb - jab * jab;
    if (det == 0) break;
    const double step_a = -(mbb * ga - jab * gb) / det, step_b = -(maa * gb - jab * ga) / det;
    const double next = residuals(a + step_a, b + step_b);
    if (next < cost) {
      const bool converged = cost - next < 1e-14;
      a += step_a, b += step_b, cost = next, lambda /= 10;
      if (converged) break;
    } else {
      lambda *= 10;
    }
  }
  return {a, b};
}

std::vector<FuzzyEdge> umap_fuzzy_graph(const NeighbourGraph& g) {
  const size_t n = g.n, k = g.k;
  double all_mean = 0;
  for (float v : g.squared_distance) all_mean += std::sqrt(double(v));
  all_mean /= std::max<size_t>(1, g.squared_distance.size());
  const double target = std::log2(double(k + 1));
  std::vector<double> w(n * k);
  parallel_for_chunks(n, kPointsPerTask, [&](size_t i) {
    std::vector<double> d(k);
    double rho = 0, mean = 0;
    for (size_t j = 0; j < k; ++j) {
      d[j] = std::sqrt(double(g.squared_distance[i * k + j]));
      if (rho == 0 && d[j] > 0) rho = d[j];
      mean += d[j] / double(k);
    }
    const double sigma = membership_scale(d, rho, rho > 0 ? mean : all_mean, target);
    for (size_t j = 0; j < k; ++j) w[i * k + j] = d[j] - rho <= 0 ? 1.0 : std::exp(-(d[j] - rho) / sigma);
  });
  // Both directions of each pair, sorted so that w_{j|i} and w_{i|j} meet, then the fuzzy union.
  std::vector<std::tuple<int64_t, int64_t, double>> entries;
  entries.reserve(2 * n * k);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < k; ++j) {
      entries.emplace_back(int64_t(i), g.index[i * k + j], w[i * k + j]);
      entries.emplace_back(g.index[i * k + j], int64_t(i), w[i * k + j]);
    }
  std::sort(entries.begin(), entries.end());
  std::vector<FuzzyEdge> out;
  for (size_t e = 0; e < entries.size();) {
    const auto [i, j, a] = entries[e];
    const bool pair = e + 1 < entries.size() && std::get<0>(entries[e + 1]) == i && std::get<1>(entries[e + 1]) == j;
    const double b = pair ? std::get<2>(entries[e + 1]) : 0.0;
    out.push_back({i, j, a + b - a * b});
    e += pair ? 2 : 1;
  }
  return out;
}

std::vector<float> umap(const NeighbourGraph& g, const std::vector<float>& init, const UmapOptions& o) {
  const size_t n = g.n;
  if (n < 3) throw std::invalid_argument("umap needs at least 3 points");
  const int epochs = o.epochs > 0 ? o.epochs : (n <= 10000 ? 500 : 200);
  LayoutSgd sgd(layout_edges(umap_fuzzy_graph(g), n, epochs), starting_layout(init, n, o.seed),
                umap_curve(o.min_dist, o.spread), o);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    sgd.run_epoch(epoch, o.learning_rate * (1.0 - double(epoch) / epochs));
    const bool report = o.progress && ((epoch + 1) % 10 == 0 || epoch + 1 == epochs);
    if (report && !o.progress(epoch + 1, epochs)) break;
  }
  return sgd.layout();
}

}  // namespace pretext
