#pragma once
// 2-D projections of feature rows, one table of them: the end of a run (PCA), `pretext-cli project
// --method` and the app all name a projection and call project(). Adding one is its own file and a
// line in projections.cpp. No LibTorch here: the front ends list the names.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pretext {

struct ProjectionInfo {
  std::string name;     // as --method takes it and the store keys it
  std::string summary;  // one line for help texts and menus
};

struct ProjectionOptions {
  uint64_t seed = 0;
  // Called now and then with the fraction done and what is happening; return false to stop early
  // (the layout so far is returned).
  std::function<bool(double fraction, const std::string& what)> progress;
};

const std::vector<ProjectionInfo>& projection_infos();
std::vector<std::string> projection_names();

// rows: n x dim, row-major. Returns n x 2, row-major. Throws std::invalid_argument for an unknown
// name (listing the offer) or fewer than 3 rows.
std::vector<float> project(const std::string& name, const std::vector<float>& rows, size_t n, size_t dim,
                           const ProjectionOptions& options = {});

// The similarity transform (scale, rotation or reflection, shift) that brings `layout` closest to
// `reference` in least squares (orthogonal Procrustes), applied to layout: two maps of the same
// points (a run's checkpoints) then line up, so the points only move where the embedding changed.
// Both n x 2, row-major, of equal size.
std::vector<float> aligned_to(const std::vector<float>& reference, const std::vector<float>& layout);

}  // namespace pretext
