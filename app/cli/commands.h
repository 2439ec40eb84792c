#pragma once
// Each subcommand lives in its own file and registers itself with one call from main.cpp: it adds
// its CLI11 subcommand and returns the function to run when that subcommand was given.
// Exit codes: 0 ok, 1 the run failed, 2 bad usage or input.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace pretext::cli {

struct Command {
  CLI::App* app;
  std::function<int()> run;
};

using Commands = std::vector<Command>;

void add_train(CLI::App& app, Commands& out);
void add_methods(CLI::App& app, Commands& out);
void add_runs(CLI::App& app, Commands& out);
void add_export(CLI::App& app, Commands& out);
void add_eval(CLI::App& app, Commands& out);
void add_project(CLI::App& app, Commands& out);
void add_inspect(CLI::App& app, Commands& out);
void add_preview(CLI::App& app, Commands& out);
void add_resume(CLI::App& app, Commands& out);
void add_device_check(CLI::App& app, Commands& out);
void add_compare_tasks(CLI::App& app, Commands& out);

// "90", "90s", "3m", "1.5h" -> seconds (--time-budget); throws CLI::ValidationError otherwise.
double parse_duration_s(const std::string& text);

// --probes knn,linear,... (the probes table's names; kNN always runs) and --linear-probe, its short
// form: the probes a run schedules and ends with (train, compare-tasks).
void add_probes_option(CLI::App* cmd, std::vector<std::string>& probes);

constexpr const char* kDefaultDb = "pretext.db";

}  // namespace pretext::cli
