// Two-view augmentation throughput of a Pretext pipeline on the cv::Mat API (no LibTorch): the
// work a training step asks of the CPU before tensors exist. Prints one JSON line.
//   augment_bench --pipeline simclr-cifar --size 32 --threads 1 --seconds 3
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "engine/augment/pipeline.h"
#include "engine/core/parallel.h"

int main(int argc, char** argv) {
  std::string pipeline = "simclr-cifar";
  int size = 32;
  unsigned threads = 1;
  double seconds = 3.0;
  size_t images = 2048;
  CLI::App app{"Pretext augmentation throughput"};
  app.add_option("--pipeline", pipeline);
  app.add_option("--size", size);
  app.add_option("--threads", threads, "0 = all cores");
  app.add_option("--seconds", seconds);
  app.add_option("--images", images);
  CLI11_PARSE(app, argc, argv);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());

  const pretext::Pipeline p = pretext::Pipeline::load(pipeline);
  // Noise images, as the Python peer uses (same generator is not needed: costs do not depend on values
  // beyond blur/jitter, which are data-independent here).
  std::vector<cv::Mat> data(images);
  cv::RNG rng(1);
  for (auto& m : data) {
    m.create(size, size, CV_8UC3);
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
  }
  // Warm-up, then whole passes until the time is spent.
  pretext::parallel_for(std::min<size_t>(images, 64), [&](size_t i) { (void)p.apply(data[i], 0, 0, int64_t(i), 0); }, threads);
  size_t views = 0;
  int64_t epoch = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  std::atomic<size_t> sink{0};
  while (elapsed < seconds) {
    pretext::parallel_for(images, [&](size_t i) {
      const auto a = p.apply(data[i], 0, 7, int64_t(i), epoch);
      const auto b = p.apply(data[i], 1, 7, int64_t(i), epoch);
      sink += a.image.total() + b.image.total();
    }, threads);
    views += 2 * images;
    ++epoch;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  std::printf("{\"impl\": \"pretext\", \"pipeline\": \"%s\", \"size\": %d, \"threads\": %u, \"views\": %zu, "
              "\"seconds\": %.3f, \"views_per_s\": %.1f}\n",
              pipeline.c_str(), size, threads, views, elapsed, views / elapsed);
  return sink.load() == 0;
}
