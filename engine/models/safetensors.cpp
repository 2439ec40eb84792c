#include "engine/models/safetensors.h"

#include "engine/core/atomic_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>


namespace pretext {
namespace {

struct DtypeName {
  torch::ScalarType type;
  const char* name;
};
// The safetensors spelling of each dtype we write or read.
constexpr DtypeName kDtypes[] = {
    {torch::kFloat32, "F32"}, {torch::kFloat64, "F64"}, {torch::kFloat16, "F16"}, {torch::kBFloat16, "BF16"},
    {torch::kInt64, "I64"},   {torch::kInt32, "I32"},   {torch::kInt16, "I16"},   {torch::kInt8, "I8"},
    {torch::kUInt8, "U8"},    {torch::kBool, "BOOL"},
};

const char* dtype_name(torch::ScalarType t) {
  for (const auto& d : kDtypes)
    if (d.type == t) return d.name;
  throw std::runtime_error(std::string("safetensors: unsupported dtype ") + c10::toString(t));
}

torch::ScalarType dtype_of(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return d.type;
  throw std::runtime_error("safetensors: unsupported dtype " + name);
}

// safetensors stores little-endian; so does every machine LibTorch supports, which this checks once.
bool little_endian() {
  const uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

}  // namespace

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  if (!little_endian()) throw std::runtime_error("safetensors: big-endian machines are not supported");
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> blobs;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__" || header.contains(name)) throw std::runtime_error("safetensors: duplicate or reserved name " + name);
    torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    const uint64_t bytes = c.numel() * c.element_size();
    header[name] = {{"dtype", dtype_name(c.scalar_type())}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    blobs.push_back(c);
  }
  std::string text = header.dump();
  // Pad with spaces so the data starts 8-byte aligned, which lets readers map it in place.
  text.append((8 - text.size() % 8) % 8, ' ');
  write_file_atomically(path, [&](std::ostream& out) {
    uint64_t n = text.size();
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
    out.write(reinterpret_cast<const char*>(len), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& c : blobs)
      out.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.numel() * c.element_size()));
  });
}

torch::Tensor SafetensorsFile::get(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return t;
  throw std::runtime_error("safetensors: no tensor named " + name);
}

SafetensorsFile read_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  const auto file_size = std::filesystem::file_size(path);
  unsigned char len[8];
  if (!in.read(reinterpret_cast<char*>(len), 8)) throw std::runtime_error(path + ": not a safetensors file (too short)");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(len[i]) << (8 * i);
  if (n > file_size - 8 || n > (100u << 20)) throw std::runtime_error(path + ": not a safetensors file (bad header size)");
  std::string text(n, '\0');
  in.read(text.data(), static_cast<std::streamsize>(n));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": bad safetensors header: " + e.what());
  }
  if (!header.is_object()) throw std::runtime_error(path + ": bad safetensors header");
  const uint64_t data_size = file_size - 8 - n;
  std::vector<char> data(data_size);
  in.read(data.data(), static_cast<std::streamsize>(data_size));
  if (!in) throw std::runtime_error(path + ": truncated");

  SafetensorsFile f;
  std::vector<std::pair<uint64_t, std::pair<std::string, torch::Tensor>>> ordered;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      for (auto m = it->begin(); m != it->end(); ++m) f.metadata[m.key()] = m->get<std::string>();
      continue;
    }
    const auto& e = it.value();
    const auto type = dtype_of(e.at("dtype").get<std::string>());
    const auto shape = e.at("shape").get<std::vector<int64_t>>();
    const auto off = e.at("data_offsets").get<std::vector<uint64_t>>();
    int64_t numel = 1;
    for (auto s : shape) numel *= s;
    const uint64_t bytes = uint64_t(numel) * torch::elementSize(type);
    if (off.size() != 2 || off[0] > off[1] || off[1] > data_size || off[1] - off[0] != bytes)
      throw std::runtime_error(path + ": tensor " + it.key() + " has offsets that do not match its shape");
    torch::Tensor t = torch::empty(shape, torch::TensorOptions().dtype(type));
    std::memcpy(t.data_ptr(), data.data() + off[0], bytes);
    ordered.push_back({off[0], {it.key(), t}});
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (auto& o : ordered) f.tensors.push_back(std::move(o.second));
  return f;
}

NamedTensors backbone_state(const BackboneImpl& backbone) {
  NamedTensors out;
  for (const auto& p : backbone.named_parameters(true)) out.emplace_back(p.key(), p.value());
  for (const auto& b : backbone.named_buffers(true)) out.emplace_back(b.key(), b.value());
  return out;
}

void export_backbone_safetensors(const BackboneImpl& backbone, const std::string& path,
                                 const std::map<std::string, std::string>& metadata) {
  auto meta = metadata;
  meta["format"] = "pt";  // what safetensors.torch expects
  meta["feature_dim"] = std::to_string(backbone.feature_dim());
  write_safetensors(path, backbone_state(backbone), meta);
}

void load_backbone_safetensors(BackboneImpl& backbone, const std::string& path) {
  const SafetensorsFile f = read_safetensors(path);
  std::map<std::string, torch::Tensor> by_name(f.tensors.begin(), f.tensors.end());
  torch::NoGradGuard no_grad;
  for (auto& [name, t] : backbone_state(backbone)) {
    auto it = by_name.find(name);
    if (it == by_name.end()) throw std::runtime_error(path + " has no tensor " + name + " (another backbone?)");
    if (it->second.sizes() != t.sizes())
      throw std::runtime_error(path + ": " + name + " has shape " + c10::str(it->second.sizes()) + ", the backbone " +
                               c10::str(t.sizes()) + " (another backbone?)");
    t.copy_(it->second);
  }
}

int64_t backbone_in_channels(const SafetensorsFile& file) {
  // The stem (ResNet conv1, ConvNet features.0, ViT conv_proj) is the convolution with the fewest
  // input channels: every later one takes at least the stem's width.
  int64_t channels = 0;
  for (const auto& [name, t] : file.tensors)
    if (t.dim() == 4 && (channels == 0 || t.size(1) < channels)) channels = t.size(1);
  if (channels == 0) throw std::runtime_error("the weights hold no convolution, so their input channels are unknown");
  return channels;
}

}  // namespace pretext
