#pragma once
// Groupings of an embedding table's rows in the full feature space, for colouring a map by something
// the 2-D layout cannot show: whether a point's neighbours would classify it right, and which cluster
// of the features it falls in. Both work on the features, never on the map, so a colour is evidence
// about the representation and not about t-SNE's or UMAP's layout.
#include <cstdint>
#include <vector>

#include "engine/export/tables.h"

namespace pretext {

// The kNN probe's vote inside the table: each labelled row's class as its k most cosine-similar other
// rows vote, weight exp(similarity / T) (Wu et al. 2018), the row itself left out. -1 for unlabelled
// rows. The solo-learn setting (k = 20, T = 0.07) suits the few thousand points of a map.
std::vector<int> neighbour_votes(const EmbeddingTable& t, int k = 20, double temperature = 0.07);

// k-means (k-means++ seeding, Lloyd) of the rows; the rows are L2-normalised, so Euclidean k-means is
// k-means by cosine. One cluster index per row, deterministic for a seed.
std::vector<int> feature_clusters(const EmbeddingTable& t, int k, uint64_t seed);

// The share of labelled rows whose cluster's most common class is their own: 1 when clusters are
// classes, about the largest class's share when they ignore them.
double cluster_purity(const std::vector<int>& clusters, const std::vector<int>& labels);

}  // namespace pretext
