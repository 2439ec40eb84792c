#pragma once
// How well a 2-D layout keeps the neighbourhoods of the rows it was made from: the quality the
// projection tests hold t-SNE and UMAP to, and the explorer can show next to a layout. Both
// compare full rank orders, O(n^2) time and O(block x n) memory.
#include <cstddef>
#include <vector>

namespace pretext {

// Trustworthiness (Venna & Kaski 2001, as scikit-learn's): 1 minus a penalty for every point among
// a row's k nearest in the layout that is not among its k nearest in the original space, weighted
// by how far down the original ranking it is. 1 is perfect; a random layout scores about 0.5.
double trustworthiness(const std::vector<float>& rows, size_t dim, const std::vector<float>& layout, size_t n, size_t k);

// The mean fraction of each row's k nearest neighbours in the original space that are also among
// its k nearest in the layout.
double neighbour_preservation(const std::vector<float>& rows, size_t dim, const std::vector<float>& layout, size_t n,
                              size_t k);

}  // namespace pretext
