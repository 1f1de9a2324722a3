#pragma once
// Runs a shell command line for the end-to-end tests and keeps what it printed.

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace alignwatch::testing {

struct CommandRun {
  int exit_code = -1;  // -1 when the command did not exit normally
  std::string out;     // stdout and stderr together
};

inline CommandRun run_command(const std::string& command_line) {
  CommandRun run;
  FILE* pipe = popen((command_line + " 2>&1").c_str(), "r");
  if (!pipe) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.out.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The alignwatch CLI with `args`.
inline CommandRun run_cli(const std::string& args) {
  return run_command(std::string(ALIGNWATCH_CLI) + " " + args);
}

}  // namespace alignwatch::testing
