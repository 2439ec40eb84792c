// ctest-labels: unit
// The projections table (engine/eval/projections.h): every entry lays out any feature rows in two
// finite dimensions, and a name not offered is refused with the offer; aligning two maps of the same
// points undoes a similarity transform.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/eval/projections.h"

using namespace pretext;

TEST(projections, EveryEntryLaysOutRowsInTwoFiniteDimensions) {
  const size_t n = 120, dim = 8;  // more than 3 x perplexity 30, as t-SNE needs
  std::mt19937 rng(3);
  std::normal_distribution<float> noise;
  std::vector<float> rows;
  for (size_t i = 0; i < n; ++i)
    for (size_t d = 0; d < dim; ++d) rows.push_back(noise(rng) + (d == 0 && i % 2 ? 8.0f : 0.0f));
  ASSERT_FALSE(projection_infos().empty());
  for (const auto& p : projection_infos()) {
    EXPECT_FALSE(p.summary.empty()) << p.name;
    int calls = 0;
    ProjectionOptions o;
    o.progress = [&](double fraction, const std::string&) {
      EXPECT_GE(fraction, 0.0);
      EXPECT_LE(fraction, 1.0);
      ++calls;
      return true;
    };
    const auto xy = project(p.name, rows, n, dim, o);
    ASSERT_EQ(xy.size(), 2 * n) << p.name;
    for (float v : xy) EXPECT_TRUE(std::isfinite(v)) << p.name;
    // Two groups (dimension 0 shifted by 8 for odd rows) stay apart along some axis of the layout.
    double gap = 0;
    for (int axis = 0; axis < 2; ++axis) {
      double odd = 0, even = 0;
      for (size_t i = 0; i < n; ++i) (i % 2 ? odd : even) += xy[2 * i + axis];
      gap = std::max(gap, std::abs(odd - even) / (n / 2));
    }
    EXPECT_GT(gap, 1.0) << p.name;
  }
}

TEST(projections, AnUnknownNameIsRefusedWithTheOffer) {
  const std::vector<float> rows(12, 0.5f);
  try {
    project("umapp", rows, 4, 3);
    FAIL() << "accepted an unknown projection";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("pca"), std::string::npos) << e.what();
  }
  EXPECT_THROW(project("pca", rows, 2, 6), std::invalid_argument);  // fewer than 3 points
}

TEST(projections, AlignmentUndoesARotationReflectionScaleAndShift) {
  std::mt19937 rng(5);
  std::normal_distribution<float> noise;
  std::vector<float> reference(2 * 50), moved;
  for (auto& v : reference) v = noise(rng);
  const double a = 0.7, c = std::cos(a), s = std::sin(a);
  for (size_t i = 0; i < 50; ++i) {
    const double x = reference[2 * i], y = -reference[2 * i + 1];  // reflected
    moved.push_back(float(3 * (c * x - s * y) + 5));
    moved.push_back(float(3 * (s * x + c * y) - 2));
  }
  const auto back = aligned_to(reference, moved);
  ASSERT_EQ(back.size(), reference.size());
  for (size_t k = 0; k < back.size(); ++k) EXPECT_NEAR(back[k], reference[k], 1e-4) << k;
  EXPECT_THROW(aligned_to(reference, {1.f, 2.f}), std::invalid_argument);
}

TEST(projections, ParametersNameTheStoredMapAndAreChecked) {
  EXPECT_EQ(projection_label("tsne", {}), "tsne");
  EXPECT_EQ(projection_label("tsne", {{"perplexity", 30}}), "tsne");  // the default changes nothing
  EXPECT_EQ(projection_label("tsne", {{"exaggeration", 4}, {"perplexity", 50}}), "tsne(perplexity=50,exaggeration=4)");
  EXPECT_EQ(projection_label("umap", {{"min_dist", 0.5}}), "umap(min_dist=0.5)");
  auto refusal = [](const std::string& name, const ProjectionParameters& p) {
    try {
      check_projection_parameters(name, p);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refusal("umap", {{"perplexity", 30}}), "umap has no parameter 'perplexity' (it takes neighbours, min_dist, epochs)");
  EXPECT_EQ(refusal("pca", {{"perplexity", 30}}), "pca has no parameter 'perplexity' (it takes none)");
  EXPECT_EQ(refusal("tsne", {{"perplexity", 0.5}}), "tsne: perplexity must be in [2, 100], got 0.5");
  EXPECT_EQ(refusal("umap", {{"neighbours", 7.5}}), "umap: neighbours must be a whole number in [2, 200], got 7.5");
  EXPECT_THROW(project("tsne", std::vector<float>(30, 1.f), 10, 3, ProjectionOptions{0, {{"theta", 1}}, {}}),
               std::invalid_argument);
}

TEST(projections, AParameterChangesTheLayoutDeterministically) {
  const size_t n = 90, dim = 6;
  std::mt19937 rng(9);
  std::normal_distribution<float> noise;
  std::vector<float> rows;
  for (size_t i = 0; i < n * dim; ++i) rows.push_back(noise(rng));
  for (const auto& [name, parameters] : std::vector<std::pair<std::string, ProjectionParameters>>{
           {"tsne", {{"perplexity", 5}, {"iterations", 150}}}, {"umap", {{"neighbours", 5}, {"epochs", 50}}}}) {
    ProjectionOptions changed;
    changed.seed = 4;
    changed.parameters = parameters;
    ProjectionOptions shorter = changed;
    shorter.parameters.erase(shorter.parameters.begin());  // the other parameter alone
    const auto a = project(name, rows, n, dim, changed);
    EXPECT_EQ(project(name, rows, n, dim, changed), a) << name;
    EXPECT_NE(project(name, rows, n, dim, shorter), a) << name;
  }
}
