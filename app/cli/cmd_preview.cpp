#include <cstdio>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "app/cli/commands.h"
#include "engine/augment/preview.h"
#include "engine/data/image_set.h"

namespace pretext::cli {

namespace {
struct PreviewArgs {
  std::string path, pipeline = "simclr", out = "grid.png", trace_json;
  size_t n = 8, views = 2, first = 0;
  uint64_t seed = 0;
  int64_t epoch = 0;
  int cell = 96, resize = 0;
};
}  // namespace

void add_preview(CLI::App& app, Commands& out) {
  auto a = std::make_shared<PreviewArgs>();
  auto* cmd = app.add_subcommand("preview", "Render N images x (original + V views) of a pipeline to a PNG");
  cmd->add_option("path", a->path, "Dataset (as inspect)")->required();
  cmd->add_option("--pipeline", a->pipeline, "Preset name or pipeline JSON file")->capture_default_str();
  cmd->add_option("--n", a->n, "Images (rows)")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--views", a->views, "Views per image")->check(CLI::Range(1, 64))->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed (the same as training uses gives the same views)")->capture_default_str();
  cmd->add_option("--epoch", a->epoch, "Epoch whose views to show")->capture_default_str();
  cmd->add_option("--first", a->first, "Index of the first image shown")->capture_default_str();
  cmd->add_option("--cell", a->cell, "Pixels per grid cell")->check(CLI::Range(16, 1024))->capture_default_str();
  cmd->add_option("--resize", a->resize, "Resize images to N x N on load")->check(CLI::Range(0, 4096));
  cmd->add_option("--out", a->out, "Output PNG")->capture_default_str();
  cmd->add_option("--trace", a->trace_json, "Also write every view's op trace as JSON here");
  out.push_back({cmd, [a] {
                   Pipeline p;
                   ImageSet set;
                   try {
                     p = Pipeline::load(a->pipeline);
                     LoadOptions o;
                     o.resize = a->resize;
                     // Only the images shown are needed: an evenly spread subset would change indices,
                     // so load all (cheap for the sizes a preview is run on) and pick by index.
                     set = load_images(a->path, o);
                   } catch (const std::exception& e) {
                     std::fprintf(stderr, "error: %s\n", e.what());
                     return 2;
                   }
                   if (a->first >= set.size()) {
                     std::fprintf(stderr, "error: --first %zu but the dataset has %zu images\n", a->first, set.size());
                     return 2;
                   }
                   std::vector<size_t> idx;
                   for (size_t i = a->first; i < set.size() && idx.size() < a->n; ++i) idx.push_back(i);
                   std::vector<std::vector<View>> views;
                   try {
                     views = preview_views(set, idx, p, a->views, a->seed, a->epoch);
                   } catch (const std::exception& e) {
                     std::fprintf(stderr, "error: pipeline %s: %s\n", p.name.c_str(), e.what());
                     return 2;
                   }
                   cv::Mat grid = preview_grid(set, idx, views, a->cell), bgr;
                   cv::cvtColor(grid, bgr, cv::COLOR_RGB2BGR);
                   bool ok = false;
                   try {
                     ok = cv::imwrite(a->out, bgr);
                   } catch (const cv::Exception& e) {
                     std::fprintf(stderr, "error: %s\n", e.what());
                   }
                   if (!ok) {
                     std::fprintf(stderr, "error: cannot write %s\n", a->out.c_str());
                     return 1;
                   }
                   if (!a->trace_json.empty()) {
                     nlohmann::json j = nlohmann::json::array();
                     for (size_t r = 0; r < idx.size(); ++r)
                       for (size_t v = 0; v < views[r].size(); ++v) {
                         nlohmann::json ops = nlohmann::json::array();
                         for (const auto& t : views[r][v].trace) {
                           nlohmann::json vals = nlohmann::json::object();
                           for (const auto& [k, x] : t.values) vals[k] = x;
                           ops.push_back({{"op", t.op}, {"applied", t.applied}, {"values", vals}});
                         }
                         j.push_back({{"image", idx[r]}, {"view", v}, {"label", views[r][v].label}, {"ops", ops}});
                       }
                     std::FILE* f = std::fopen(a->trace_json.c_str(), "w");
                     if (!f) {
                       std::fprintf(stderr, "error: cannot write %s\n", a->trace_json.c_str());
                       return 1;
                     }
                     std::fputs(j.dump(1).c_str(), f);
                     std::fclose(f);
                   }
                   std::printf("wrote %s: %zu images x (original + %zu views), pipeline %s, seed %llu\n", a->out.c_str(),
                               idx.size(), a->views, p.name.c_str(), static_cast<unsigned long long>(a->seed));
                   return 0;
                 }});
}

}  // namespace pretext::cli
