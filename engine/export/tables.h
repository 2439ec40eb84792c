#pragma once
// Exports that other tools read: metrics as CSV, embeddings as CSV and as TensorBoard projector
// files (vectors.tsv, metadata.tsv, a sprite image and projector_config.pbtxt). No LibTorch.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/image_set.h"
#include "engine/store/store.h"

namespace pretext {

// Long ("tidy") format: step,name,value, one row per stored metric value, by name then step.
// Returns the number of rows written.
size_t write_metrics_csv(Store& store, int64_t run, const std::string& path);

struct EmbeddingTable {
  size_t n = 0, dim = 0;
  std::vector<float> values;         // n x dim, row-major
  std::vector<int64_t> image_index;  // n: index into the dataset the rows came from
  std::vector<int> labels;           // n (-1: none) or empty
  std::vector<std::string> class_names;
  std::vector<std::string> sources;  // n: file path or "file#index", or empty
};

// index,label,class,source,f0,...,f{dim-1}
void write_embeddings_csv(const EmbeddingTable& t, const std::string& path);

// Writes folder/vectors.tsv, folder/metadata.tsv, folder/sprite.png (the images in row order on a
// square grid; skipped when images is null) and folder/projector_config.pbtxt, which TensorBoard's
// projector (or projector.tensorflow.org, loading the TSVs) reads. Returns the files written.
std::vector<std::string> write_projector(const EmbeddingTable& t, const ImageSet* images, const std::string& folder);

// The sprite alone: thumbnails of the given images, side x side pixels each, row-major on a grid of
// ceil(sqrt(n)) columns, as TensorBoard expects (single_image_dim = side). RGB/gray in, PNG out.
void write_sprite(const ImageSet& images, const std::vector<int64_t>& indices, int side, const std::string& path);

}  // namespace pretext
