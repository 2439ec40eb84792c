#pragma once
// safetensors (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}} and the raw
// little-endian tensor bytes. Small enough to write here; Python reads it with safetensors.torch.
#include <torch/torch.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/models/backbone.h"

namespace pretext {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Writes the tensors (moved to the CPU, made contiguous) in the order given. Throws on I/O errors
// or an unsupported dtype. The parent folder is created.
void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {});

struct SafetensorsFile {
  NamedTensors tensors;  // in file order (by data offset)
  std::map<std::string, std::string> metadata;
  torch::Tensor get(const std::string& name) const;  // throws when absent
};

// Reads and validates a file (header size, offsets inside the data, shapes matching byte counts).
SafetensorsFile read_safetensors(const std::string& path);

// A backbone's state dict (parameters and buffers, BatchNorm running statistics and
// num_batches_tracked included) under its module names, which follow torchvision's ResNet
// (conv1.weight, layer1.0.bn1.running_mean, layer2.0.downsample.0.weight, ...), so that
// torchvision.models.resnet18() with conv1 = 3x3 stride 1, maxpool = Identity and fc = Identity
// loads the file of a "resnet18" backbone with strict=True.
NamedTensors backbone_state(const BackboneImpl& backbone);
void export_backbone_safetensors(const BackboneImpl& backbone, const std::string& path,
                                 const std::map<std::string, std::string>& metadata = {});

// Copies every tensor of the file into the backbone (same names and shapes); throws naming the
// first missing or mismatched tensor.
void load_backbone_safetensors(BackboneImpl& backbone, const std::string& path);

// The image channels a backbone's weights take (its stem's input channels): 1 or 3.
int64_t backbone_in_channels(const SafetensorsFile& file);

}  // namespace pretext
