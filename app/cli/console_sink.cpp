#include "app/cli/console_sink.h"

#include <cstdio>

#include "engine/core/describe.h"

namespace pretext {

void ConsoleSink::on_event(const Event& e) {
  std::lock_guard<std::mutex> lock(mu_);
  if (const auto* s = std::get_if<StepEvent>(&e)) {
    if (s->step == 1 || s->step == s->total_steps || s->step % every_ == 0) {
      std::printf("step %lld/%lld  epoch %d  loss %.4f  lr %.4g  %.0f img/s  eta %.0fs\n",
                  static_cast<long long>(s->step), static_cast<long long>(s->total_steps), s->epoch + 1, s->loss,
                  s->lr, s->images_per_s, s->eta_s);
    }
  } else if (const auto* r = std::get_if<RunStarted>(&e)) {
    std::printf("run %lld started on %s: %lld images, %lld steps\n", static_cast<long long>(r->run_id),
                r->device.c_str(), static_cast<long long>(r->images), static_cast<long long>(r->total_steps));
  } else if (const auto* p = std::get_if<ProbeEvent>(&e)) {
    std::printf("probe: %s\n", describe_probe(*p).c_str());
    if (p->end_of_run && p->kind == "knn") {
      std::printf("final kNN accuracy: %.2f%%\n", 100.0 * p->accuracy);
      const std::string learned = describe_learning(p->accuracy, final_untrained_, final_raw_pixels_);
      if (!learned.empty()) std::printf("%s\n", learned.c_str());
    }
  } else if (const auto* b = std::get_if<BaselineEvent>(&e)) {
    if (b->scope == "final") (b->baseline == "raw_pixels" ? final_raw_pixels_ : final_untrained_) = b->accuracy;
    std::printf("baseline: %s%s\n", describe_baseline(*b).c_str(), b->reused ? " (stored)" : "");
  } else if (const auto* l = std::get_if<LogEvent>(&e)) {
    const char* tag = l->level == LogEvent::Level::Error ? "error: " : l->level == LogEvent::Level::Warning ? "warning: " : "";
    std::fprintf(l->level == LogEvent::Level::Info ? stdout : stderr, "%s%s\n", tag, l->message.c_str());
  } else if (const auto* f = std::get_if<RunFinished>(&e)) {
    std::printf("run %lld %s%s%s\n", static_cast<long long>(f->run_id), f->status.c_str(),
                f->message.empty() ? "" : ": ", f->message.c_str());
  }
  std::fflush(stdout);
}

}  // namespace pretext
