#pragma once
// A dataset's identity for the datasets table: the same decoded pixels and labels give the same
// fingerprint wherever the files live, so runs on a copied or moved dataset can be matched.
#include <string>

#include "engine/data/image_set.h"
#include "engine/store/store.h"

namespace pretext {

// 64-bit FNV-1a over the size, pixels and labels, as 16 hex digits.
std::string dataset_fingerprint(const ImageSet& set);

// path, fingerprint and counts, ready for Store::upsert_dataset.
DatasetRecord describe_dataset(const ImageSet& set, const std::string& path);

}  // namespace pretext
