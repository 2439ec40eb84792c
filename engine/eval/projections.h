#pragma once
// 2-D projections of feature rows, one table of them: the end of a run (PCA), `pretext-cli project
// --method` and the app all name a projection and call project(). Adding one is its own file and a
// line in projections.cpp. No LibTorch here: the front ends list the names.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pretext {

// A setting a user may change, with its published default: the CLI's flags (--min-dist for min_dist)
// and the app's parameter boxes are made from these.
struct ProjectionParameter {
  std::string name;
  std::string help;
  double value = 0;  // the default
  double min = 0, max = 0;
  bool integer = false;
};

struct ProjectionInfo {
  std::string name;     // as --method takes it and the store keys it
  std::string summary;  // one line for help texts and menus
  std::vector<ProjectionParameter> parameters;
};

// Parameter values by name; one not given keeps its default.
using ProjectionParameters = std::map<std::string, double>;

struct ProjectionOptions {
  uint64_t seed = 0;
  ProjectionParameters parameters;
  // Called now and then with the fraction done and what is happening; return false to stop early
  // (the layout so far is returned).
  std::function<bool(double fraction, const std::string& what)> progress;
};

const std::vector<ProjectionInfo>& projection_infos();
std::vector<std::string> projection_names();

// Throws std::invalid_argument for an unknown projection, a parameter it does not take (naming those
// it does) or a value out of its range.
void check_projection_parameters(const std::string& name, const ProjectionParameters& parameters);

// How a projection is stored and shown: its name at the defaults ("tsne"), else the name with the
// parameters that differ from their defaults, in the table's order ("tsne(perplexity=50)"). Two maps
// with different settings are then two stored maps, and a stored map says how it was made.
std::string projection_label(const std::string& name, const ProjectionParameters& parameters);

// rows: n x dim, row-major. Returns n x 2, row-major. Throws std::invalid_argument for an unknown
// name (listing the offer), bad parameters (as check_projection_parameters) or fewer than 3 rows.
std::vector<float> project(const std::string& name, const std::vector<float>& rows, size_t n, size_t dim,
                           const ProjectionOptions& options = {});

// The similarity transform (scale, rotation or reflection, shift) that brings `layout` closest to
// `reference` in least squares (orthogonal Procrustes), applied to layout: two maps of the same
// points (a run's checkpoints) then line up, so the points only move where the embedding changed.
// Both n x 2, row-major, of equal size.
std::vector<float> aligned_to(const std::vector<float>& reference, const std::vector<float>& layout);

}  // namespace pretext
