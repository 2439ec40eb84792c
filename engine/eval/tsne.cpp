#include "engine/eval/tsne.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "engine/core/parallel.h"
#include "engine/core/seed.h"

namespace pretext {
namespace {

std::vector<double> squared_distances(const std::vector<float>& x, size_t n, size_t dim) {
  std::vector<double> d(n * n, 0.0);
  parallel_for(n, [&](size_t i) {
    for (size_t j = 0; j < n; ++j) {
      double s = 0;
      for (size_t k = 0; k < dim; ++k) {
        const double t = double(x[i * dim + k]) - double(x[j * dim + k]);
        s += t * t;
      }
      d[i * n + j] = s;
    }
  });
  return d;
}

}  // namespace

std::vector<double> tsne_conditional_affinities(const std::vector<float>& x, size_t n, size_t dim, double perplexity) {
  if (x.size() != n * dim) throw std::invalid_argument("tsne: x has " + std::to_string(x.size()) + " values, not n * dim");
  const std::vector<double> d = squared_distances(x, n, dim);
  std::vector<double> p(n * n, 0.0);
  const double target = std::log(perplexity);  // entropy in nats
  parallel_for(n, [&](size_t i) {
    const double* di = &d[i * n];
    double* pi = &p[i * n];
    // Distances relative to the nearest neighbour keep exp() away from underflow for far-off points.
    double dmin = std::numeric_limits<double>::infinity();
    for (size_t j = 0; j < n; ++j)
      if (j != i) dmin = std::min(dmin, di[j]);
    double beta = 1, lo = 0, hi = std::numeric_limits<double>::infinity();
    for (int it = 0; it < 200; ++it) {
      double sum = 0, weighted = 0;
      for (size_t j = 0; j < n; ++j) {
        if (j == i) continue;
        const double e = std::exp(-(di[j] - dmin) * beta);
        pi[j] = e;
        sum += e;
        weighted += (di[j] - dmin) * e;
      }
      // H = log(sum) + beta * E[d - dmin]; the shift by dmin cancels out of the probabilities.
      const double h = std::log(sum) + beta * weighted / sum;
      for (size_t j = 0; j < n; ++j) pi[j] /= sum;
      if (std::abs(h - target) < 1e-5) break;
      if (h > target) {  // too flat: sharpen
        lo = beta;
        beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    pi[i] = 0;
  });
  return p;
}

std::vector<float> tsne(const std::vector<float>& x, size_t n, size_t dim, const TsneOptions& o) {
  if (n < 3) throw std::invalid_argument("tsne needs at least 3 points");
  const double perplexity = std::min(o.perplexity, (double(n) - 1) / 3);
  const std::vector<double> cond = tsne_conditional_affinities(x, n, dim, perplexity);
  // Joint affinities p_ij = (p_{j|i} + p_{i|j}) / 2n: symmetric, summing to 1.
  std::vector<double> p(n * n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) p[i * n + j] = std::max((cond[i * n + j] + cond[j * n + i]) / (2.0 * n), 1e-12);
  for (size_t i = 0; i < n; ++i) p[i * n + i] = 0;

  const double lr = o.learning_rate > 0 ? o.learning_rate : std::max(double(n) / o.exaggeration / 4, 50.0);
  std::vector<double> y(n * 2), update(n * 2, 0.0), gains(n * 2, 1.0), grad(n * 2);
  Rng rng(mix_seed(o.seed, 0x75e0));
  for (auto& v : y) {  // N(0, 1e-4^2) by Box-Muller: the small start of the original paper
    const double u1 = std::max(rng.uniform(), 1e-300), u2 = rng.uniform();
    v = 1e-4 * std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }
  std::vector<double> num(n * n);
  double kl = 0;
  for (int it = 0; it < o.iterations; ++it) {
    const bool early = it < o.exaggeration_iterations;
    const double exag = early ? o.exaggeration : 1.0;
    const double momentum = early ? 0.5 : 0.8;
    // Student-t kernel q_ij ∝ 1 / (1 + |y_i - y_j|^2).
    parallel_for(n, [&](size_t i) {
      for (size_t j = 0; j < n; ++j) {
        const double a = y[2 * i] - y[2 * j], b = y[2 * i + 1] - y[2 * j + 1];
        num[i * n + j] = i == j ? 0.0 : 1.0 / (1.0 + a * a + b * b);
      }
    }, o.threads);
    double z = 0;
    for (double v : num) z += v;
    // dC/dy_i = 4 sum_j (exag * p_ij - q_ij) (1 + |y_i - y_j|^2)^-1 (y_i - y_j)
    parallel_for(n, [&](size_t i) {
      double gx = 0, gy = 0;
      for (size_t j = 0; j < n; ++j) {
        const double w = num[i * n + j];
        const double m = (exag * p[i * n + j] - w / z) * w;
        gx += m * (y[2 * i] - y[2 * j]);
        gy += m * (y[2 * i + 1] - y[2 * j + 1]);
      }
      grad[2 * i] = 4 * gx;
      grad[2 * i + 1] = 4 * gy;
    }, o.threads);
    // Delta-bar-delta gains, as the reference implementation.
    for (size_t k = 0; k < 2 * n; ++k) {
      gains[k] = (grad[k] > 0) != (update[k] > 0) ? gains[k] + 0.2 : gains[k] * 0.8;
      gains[k] = std::max(gains[k], 0.01);
      update[k] = momentum * update[k] - lr * gains[k] * grad[k];
      y[k] += update[k];
    }
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; ++i) {
      mx += y[2 * i];
      my += y[2 * i + 1];
    }
    for (size_t i = 0; i < n; ++i) {
      y[2 * i] -= mx / double(n);
      y[2 * i + 1] -= my / double(n);
    }
    const bool report = o.progress && ((it + 1) % 50 == 0 || it + 1 == o.iterations);
    if (report) {
      kl = 0;
      for (size_t k = 0; k < n * n; ++k)
        if (num[k] > 0 && p[k] > 1e-12) kl += p[k] * std::log(p[k] / (num[k] / z));
      if (!o.progress(it + 1, o.iterations, kl)) break;
    }
  }
  return {y.begin(), y.end()};
}

}  // namespace pretext
