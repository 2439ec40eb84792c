#include "engine/eval/tsne.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>

#include "engine/core/parallel.h"
#include "engine/core/seed.h"

namespace pretext {
namespace {

constexpr size_t kPointsPerTask = 256;  // see parallel_for_chunks

// A point quadtree over the layout, rebuilt every iteration: each cell keeps its points' count and
// centre of mass, so a far-off cell's pull is one term (Barnes & Hut, 1986).
class QuadTree {
 public:
  // The tree of the points, inserted in the given order (every point once).
  QuadTree(const std::vector<double>& y, const std::vector<size_t>& order) : y_(y) {
    const size_t n = order.size();
    double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
    for (size_t i = 0; i < n; ++i) {
      x0 = std::min(x0, y[2 * i]), x1 = std::max(x1, y[2 * i]);
      y0 = std::min(y0, y[2 * i + 1]), y1 = std::max(y1, y[2 * i + 1]);
    }
    nodes_.reserve(2 * n);
    nodes_.push_back(Node{(x0 + x1) / 2, (y0 + y1) / 2, std::max(x1 - x0, y1 - y0) / 2 + 1e-9});
    for (size_t i : order) insert(i);
    for (auto& nd : nodes_)
      if (nd.count > 0) nd.mx /= nd.count, nd.my /= nd.count;
  }

  // The repulsive sum for point i: returns sum_j w_ij with w = 1 / (1 + |y_i - y_j|^2), and adds
  // sum_j w_ij^2 (y_i - y_j) to (fx, fy).
  double repulsion(size_t i, double theta, double& fx, double& fy) const {
    const double xi = y_[2 * i], yi = y_[2 * i + 1];
    double z = 0;
    int stack[4 * kMaxDepth + 8];
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const Node& nd = nodes_[size_t(stack[--top])];
      if (nd.count == 0) continue;
      const double dx = xi - nd.mx, dy = yi - nd.my, d2 = dx * dx + dy * dy;
      const bool leaf = nd.child < 0;
      if (leaf || 4 * nd.half * nd.half < theta * theta * d2) {
        // A leaf holding i (with duplicates at the deepest level, i among them) must not push i.
        const int others = leaf && d2 < 1e-24 ? nd.count - 1 : nd.count;
        if (others <= 0) continue;
        const double w = 1 / (1 + d2);
        z += others * w;
        fx += others * w * w * dx;
        fy += others * w * w * dy;
      } else {
        for (int c = 0; c < 4; ++c) stack[top++] = nd.child + c;
      }
    }
    return z;
  }

 private:
  static constexpr int kMaxDepth = 48;  // below this, coincident points share a leaf
  struct Node {
    double cx, cy, half;
    double mx = 0, my = 0;  // sum of positions while building, then the centre of mass
    int count = 0;
    int child = -1;  // first of four, or -1 for a leaf
    int64_t point = -1;
  };

  int quadrant(const Node& nd, size_t i) const { return (y_[2 * i] > nd.cx ? 1 : 0) + (y_[2 * i + 1] > nd.cy ? 2 : 0); }

  void split(size_t node) {
    const int first = int(nodes_.size());
    const Node parent = nodes_[node];
    for (int c = 0; c < 4; ++c) {
      const double h = parent.half / 2;
      nodes_.push_back(Node{parent.cx + (c & 1 ? h : -h), parent.cy + (c & 2 ? h : -h), h});
    }
    nodes_[node].child = first;
  }

  void add(size_t node, size_t i) {
    Node& nd = nodes_[node];
    nd.mx += y_[2 * i];
    nd.my += y_[2 * i + 1];
    ++nd.count;
  }

  void insert(size_t i) {
    size_t node = 0;
    for (int depth = 0;; ++depth) {
      add(node, i);
      if (nodes_[node].child < 0) {
        if (nodes_[node].count == 1) {
          nodes_[node].point = int64_t(i);
          return;
        }
        if (depth >= kMaxDepth) return;
        // An occupied leaf: split it and move its point one level down.
        const auto resident = size_t(nodes_[node].point);
        nodes_[node].point = -1;
        split(node);
        add(size_t(nodes_[node].child + quadrant(nodes_[node], resident)), resident);
        nodes_[size_t(nodes_[node].child + quadrant(nodes_[node], resident))].point = int64_t(resident);
      }
      node = size_t(nodes_[node].child + quadrant(nodes_[node], i));
    }
  }

  const std::vector<double>& y_;
  std::vector<Node> nodes_;
};

std::vector<double> starting_layout(const std::vector<float>& init, size_t n, uint64_t seed) {
  if (!init.empty()) {
    if (init.size() != 2 * n) throw std::invalid_argument("tsne: init must have n x 2 values");
    return {init.begin(), init.end()};
  }
  std::vector<double> y(2 * n);
  Rng rng(mix_seed(seed, 0x75e0));
  for (auto& v : y) {  // N(0, 1e-4^2) by Box-Muller: the small start of the original paper
    const double u1 = std::max(rng.uniform(), 1e-300), u2 = rng.uniform();
    v = 1e-4 * std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }
  return y;
}

// The points along a Z-order (Morton) curve over their bounding box: neighbours in this order are
// neighbours in the plane, so they walk nearly the same cells of the tree one after the other (the
// walk's branches are predicted and its cells are in cache) and the tree's cells are allocated in the
// order the walks visit them.
std::vector<size_t> z_order(const std::vector<double>& y, size_t n) {
  double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
  for (size_t i = 0; i < n; ++i) {
    x0 = std::min(x0, y[2 * i]), x1 = std::max(x1, y[2 * i]);
    y0 = std::min(y0, y[2 * i + 1]), y1 = std::max(y1, y[2 * i + 1]);
  }
  const double sx = 65535 / std::max(x1 - x0, 1e-300), sy = 65535 / std::max(y1 - y0, 1e-300);
  auto spread_bits = [](uint64_t v) {  // 16 bits to the even positions of 32
    v = (v | (v << 8)) & 0x00FF00FFull;
    v = (v | (v << 4)) & 0x0F0F0F0Full;
    v = (v | (v << 2)) & 0x33333333ull;
    return (v | (v << 1)) & 0x55555555ull;
  };
  std::vector<uint64_t> keyed(n);
  for (size_t i = 0; i < n; ++i) {
    const auto qx = uint64_t((y[2 * i] - x0) * sx), qy = uint64_t((y[2 * i + 1] - y0) * sy);
    keyed[i] = (spread_bits(qx) | spread_bits(qy) << 1) << 32 | i;
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<size_t> order(n);
  for (size_t k = 0; k < n; ++k) order[k] = size_t(keyed[k] & 0xFFFFFFFFull);
  return order;
}

// Repulsion by Barnes-Hut: rep_i = sum_j w_ij^2 (y_i - y_j) into rep; returns Z = sum_{i != j} w_ij.
double barnes_hut_repulsion(const std::vector<double>& y, size_t n, double theta, unsigned threads,
                            std::vector<double>& rep) {
  const std::vector<size_t> order = z_order(y, n);
  const QuadTree tree(y, order);
  std::vector<double> z(n);
  parallel_for_chunks(n, kPointsPerTask, [&](size_t k) {
    const size_t i = order[k];
    z[i] = tree.repulsion(i, theta, rep[2 * i], rep[2 * i + 1]);
  }, threads);
  double total = 0;
  for (double v : z) total += v;
  return total;
}

// The same by interpolation on a grid (Linderman et al. 2019, FIt-SNE): the squared kernel
// K(d) = (1 + d^2)^-2 is smooth, so each point's charges are spread to the p x p Lagrange nodes of
// its grid box, the grid is convolved with K by FFT, and the potentials are read back at the points.
// Four charges (1, x, y, |y|^2) give both the forces and Z. O(N) an iteration plus the FFT.
class GridRepulsion {
 public:
  // openTSNE's defaults: 3 nodes a box, boxes of at most 1 unit, at least 50 a side.
  static constexpr int kNodes = 3;
  static constexpr int kMinBoxes = 50;

  double operator()(const std::vector<double>& y, size_t n, unsigned threads, std::vector<double>& rep) {
    place_grid(y, n);
    const torch::Tensor charges = spread(y, n);
    const torch::Tensor potentials = convolve(charges);
    const double* pot = potentials.data_ptr<double>();
    std::vector<double> row_z(n);
    parallel_for_chunks(n, kPointsPerTask, [&](size_t i) {
      double phi[4] = {0, 0, 0, 0};
      gather(y, i, pot, phi);
      const double xi = y[2 * i], yi = y[2 * i + 1];
      rep[2 * i] = xi * phi[0] - phi[1];
      rep[2 * i + 1] = yi * phi[0] - phi[2];
      // sum_j (1 + d_ij^2)^-1 = sum_j K_ij (1 + |y_i|^2 - 2 y_i.y_j + |y_j|^2); the j = i term is 1.
      row_z[i] = (1 + xi * xi + yi * yi) * phi[0] - 2 * (xi * phi[1] + yi * phi[2]) + phi[3] - 1;
    }, threads);
    double z = 0;
    for (double v : row_z) z += v;
    return z;
  }

 private:
  void place_grid(const std::vector<double>& y, size_t n) {
    double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
    for (size_t i = 0; i < n; ++i) {
      x0 = std::min(x0, y[2 * i]), x1 = std::max(x1, y[2 * i]);
      y0 = std::min(y0, y[2 * i + 1]), y1 = std::max(y1, y[2 * i + 1]);
    }
    const double range = std::max({x1 - x0, y1 - y0, 1e-9});
    boxes_ = fft_friendly(std::max(kMinBoxes, int(std::ceil(range))));
    side_ = boxes_ * kNodes;
    box_ = range / boxes_ * (1 + 1e-9);  // the largest coordinate stays inside the last box
    origin_[0] = x0, origin_[1] = y0;
  }

  // The least count >= boxes whose grid side (2 x 3 x boxes) has no prime factor above 7: an FFT of a
  // side with a large prime factor runs several times slower (openTSNE keeps a list of such sizes).
  static int fft_friendly(int boxes) {
    for (;; ++boxes) {
      int rest = boxes;
      for (int p : {2, 3, 5, 7})
        while (rest % p == 0) rest /= p;
      if (rest == 1) return boxes;
    }
  }

  // Box and Lagrange weights of coordinate v on axis a; nodes sit at (k + 0.5) / p of a box.
  int locate(double v, int a, double w[kNodes]) const {
    const double t = (v - origin_[a]) / box_;
    const int b = std::min(boxes_ - 1, std::max(0, int(t)));
    const double u = t - b;
    for (int k = 0; k < kNodes; ++k) {
      double l = 1;
      for (int m = 0; m < kNodes; ++m)
        if (m != k) l *= (u - (m + 0.5) / kNodes) / (double(k - m) / kNodes);
      w[k] = l;
    }
    return b * kNodes;
  }

  torch::Tensor spread(const std::vector<double>& y, size_t n) const {
    // The charges on a grid twice the side, the upper half zero: a circular convolution then equals
    // the linear one on the original grid.
    auto grid = torch::zeros({4, 2 * side_, 2 * side_}, torch::kFloat64);
    double* g = grid.data_ptr<double>();
    const size_t plane = size_t(4) * side_ * side_;
    for (size_t i = 0; i < n; ++i) {
      double wx[kNodes], wy[kNodes];
      const int bx = locate(y[2 * i], 0, wx), by = locate(y[2 * i + 1], 1, wy);
      const double q[4] = {1, y[2 * i], y[2 * i + 1], y[2 * i] * y[2 * i] + y[2 * i + 1] * y[2 * i + 1]};
      for (int a = 0; a < kNodes; ++a)
        for (int b = 0; b < kNodes; ++b) {
          const size_t cell = size_t(bx + a) * 2 * side_ + size_t(by + b);
          for (int c = 0; c < 4; ++c) g[c * plane + cell] += wx[a] * wy[b] * q[c];
        }
    }
    return grid;
  }

  torch::Tensor convolve(const torch::Tensor& charges) const {
    // K at every node offset, laid out circularly: offset -d at index 2 side - d.
    const double step = box_ / kNodes;
    auto offsets = torch::arange(2 * side_, torch::kFloat64);
    offsets = torch::where(offsets < side_, offsets, offsets - 2 * side_) * step;
    const auto d2 = offsets.pow(2).unsqueeze(1) + offsets.pow(2).unsqueeze(0);
    const auto kernel = (1 + d2).pow(-2);
    const auto product = torch::fft::rfft2(charges) * torch::fft::rfft2(kernel).unsqueeze(0);
    return torch::fft::irfft2(product, {2 * side_, 2 * side_}).contiguous();
  }

  void gather(const std::vector<double>& y, size_t i, const double* pot, double phi[4]) const {
    double wx[kNodes], wy[kNodes];
    const int bx = locate(y[2 * i], 0, wx), by = locate(y[2 * i + 1], 1, wy);
    const size_t plane = size_t(4) * side_ * side_;
    for (int a = 0; a < kNodes; ++a)
      for (int b = 0; b < kNodes; ++b) {
        const size_t cell = size_t(bx + a) * 2 * side_ + size_t(by + b);
        for (int c = 0; c < 4; ++c) phi[c] += wx[a] * wy[b] * pot[c * plane + cell];
      }
  }

  int boxes_ = 0, side_ = 0;
  double box_ = 1, origin_[2] = {0, 0};
};

// The gradient of KL(P || Q) at y, split into the sparse attraction and the approximated repulsion:
// dC/dy_i = 4 (exag sum_j p_ij w_ij (y_i - y_j) - sum_j w_ij^2 (y_i - y_j) / Z). Returns Z.
// P as the gradient reads it 750 times: 4-byte columns and values (8 bytes an entry, not 16), since
// the attraction is a pass over every entry and its speed is the memory it streams.
struct CompactAffinities {
  std::vector<size_t> row_start;
  std::vector<int32_t> column;
  std::vector<float> value;
  explicit CompactAffinities(const SparseAffinities& p)
      : row_start(p.row_start), column(p.column.begin(), p.column.end()), value(p.value.begin(), p.value.end()) {}
};

double gradient(const CompactAffinities& p, const std::vector<double>& y, size_t n, double exaggeration,
                const TsneOptions& o, std::vector<double>& grad) {
  std::vector<double> rep(2 * n);
  const double z = tsne_repulsion(y, n, o.repulsion, o.theta, o.threads, rep);
  parallel_for_chunks(n, kPointsPerTask, [&](size_t i) {
    double ax = 0, ay = 0;
    const double yx = y[2 * i], yy = y[2 * i + 1];
    for (size_t e = p.row_start[i]; e < p.row_start[i + 1]; ++e) {
      const auto j = size_t(p.column[e]);
      const double dx = yx - y[2 * j], dy = yy - y[2 * j + 1];
      const double m = p.value[e] / (1 + dx * dx + dy * dy);
      ax += m * dx;
      ay += m * dy;
    }
    grad[2 * i] = 4 * (exaggeration * ax - rep[2 * i] / z);
    grad[2 * i + 1] = 4 * (exaggeration * ay - rep[2 * i + 1] / z);
  }, o.threads);
  return z;
}

// KL(P || Q) over P's non-zero entries, with Z from the last gradient (as openTSNE reports it).
double kl_divergence(const CompactAffinities& p, const std::vector<double>& y, size_t n, double z) {
  double kl = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t e = p.row_start[i]; e < p.row_start[i + 1]; ++e) {
      const auto j = size_t(p.column[e]);
      const double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
      const double q = 1 / (1 + dx * dx + dy * dy) / z;
      if (p.value[e] > 0) kl += p.value[e] * std::log(p.value[e] / std::max(q, 1e-300));
    }
  return kl;
}

void center(std::vector<double>& y, size_t n) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) mx += y[2 * i], my += y[2 * i + 1];
  for (size_t i = 0; i < n; ++i) y[2 * i] -= mx / double(n), y[2 * i + 1] -= my / double(n);
}

}  // namespace

double tsne_repulsion(const std::vector<double>& y, size_t n, TsneRepulsion how, double theta, unsigned threads,
                      std::vector<double>& forces) {
  forces.assign(2 * n, 0.0);
  const bool grid = how == TsneRepulsion::kGrid || (how == TsneRepulsion::kAuto && n > kGridFrom);
  return grid ? GridRepulsion()(y, n, threads, forces) : barnes_hut_repulsion(y, n, theta, threads, forces);
}

size_t tsne_neighbour_count(double perplexity) { return size_t(std::ceil(3 * perplexity)); }

std::vector<double> tsne_conditional_affinities(const NeighbourGraph& g, double perplexity) {
  const size_t n = g.n, k = g.k;
  std::vector<double> p(n * k, 0.0);
  const double target = std::log(perplexity);  // entropy in nats
  parallel_for_chunks(n, kPointsPerTask, [&](size_t i) {
    const float* di = &g.squared_distance[i * k];
    double* pi = &p[i * k];
    // Distances relative to the nearest neighbour keep exp() away from underflow for far-off points.
    const double dmin = k > 0 ? di[0] : 0;
    double beta = 1, lo = 0, hi = std::numeric_limits<double>::infinity();
    for (int it = 0; it < 200; ++it) {
      double sum = 0, weighted = 0;
      for (size_t j = 0; j < k; ++j) {
        const double e = std::exp(-(di[j] - dmin) * beta);
        pi[j] = e;
        sum += e;
        weighted += (di[j] - dmin) * e;
      }
      // H = log(sum) + beta * E[d - dmin]; the shift by dmin cancels out of the probabilities.
      const double h = std::log(sum) + beta * weighted / sum;
      for (size_t j = 0; j < k; ++j) pi[j] /= sum;
      if (std::abs(h - target) < 1e-5) break;
      if (h > target) {  // too flat: sharpen
        lo = beta;
        beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
  });
  return p;
}

SparseAffinities tsne_joint_affinities(const NeighbourGraph& g, double perplexity) {
  const std::vector<double> cond = tsne_conditional_affinities(g, perplexity);
  // Both directions of every neighbour pair, sorted and merged: p_ij = (p_{j|i} + p_{i|j}) / 2n.
  std::vector<std::tuple<int64_t, int64_t, double>> entries;
  entries.reserve(2 * g.n * g.k);
  for (size_t i = 0; i < g.n; ++i)
    for (size_t e = 0; e < g.k; ++e) {
      const double v = cond[i * g.k + e] / (2.0 * double(g.n));
      entries.emplace_back(int64_t(i), g.index[i * g.k + e], v);
      entries.emplace_back(g.index[i * g.k + e], int64_t(i), v);
    }
  std::sort(entries.begin(), entries.end());
  SparseAffinities p;
  p.row_start.assign(g.n + 1, 0);
  for (size_t e = 0; e < entries.size(); ++e) {
    const auto [i, j, v] = entries[e];
    if (e > 0 && std::get<0>(entries[e - 1]) == i && std::get<1>(entries[e - 1]) == j) {
      p.value.back() += v;
      continue;
    }
    p.column.push_back(j);
    p.value.push_back(v);
    ++p.row_start[size_t(i) + 1];
  }
  for (size_t i = 0; i < g.n; ++i) p.row_start[i + 1] += p.row_start[i];
  return p;
}

std::vector<float> tsne(const NeighbourGraph& g, const std::vector<float>& init, const TsneOptions& o) {
  const size_t n = g.n;
  if (n < 3) throw std::invalid_argument("tsne needs at least 3 points");
  const double perplexity = std::max(1.0, std::min(o.perplexity, double(g.k) / 3));
  const CompactAffinities p(tsne_joint_affinities(g, perplexity));
  std::vector<double> y = starting_layout(init, n, o.seed);
  std::vector<double> update(n * 2, 0.0), gains(n * 2, 1.0), grad(n * 2);
  for (int it = 0; it < o.iterations; ++it) {
    const bool early = it < o.exaggeration_iterations;
    const double exaggeration = early ? o.exaggeration : 1.0;
    const double z = gradient(p, y, n, exaggeration, o, grad);
    const double momentum = early ? 0.5 : 0.8;
    // openTSNE's "auto": N / exaggeration in each phase (Belkina et al. 2019), over 4 because this
    // gradient keeps the factor 4 of the paper's.
    const double lr = o.learning_rate > 0 ? o.learning_rate : std::max(double(n) / exaggeration / 4, 50.0);
    // Delta-bar-delta gains, as the reference implementation.
    for (size_t k = 0; k < 2 * n; ++k) {
      gains[k] = (grad[k] > 0) != (update[k] > 0) ? gains[k] + 0.2 : gains[k] * 0.8;
      gains[k] = std::max(gains[k], 0.01);
      update[k] = momentum * update[k] - lr * gains[k] * grad[k];
      y[k] += update[k];
    }
    center(y, n);
    const bool report = o.progress && ((it + 1) % 50 == 0 || it + 1 == o.iterations);
    if (report && !o.progress(it + 1, o.iterations, kl_divergence(p, y, n, z))) break;
  }
  return {y.begin(), y.end()};
}

}  // namespace pretext
