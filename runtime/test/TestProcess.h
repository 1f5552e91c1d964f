// Runs this test binary again as a child process (gtest filter + extra environment), for
// tests that need a fresh process: a missing library, two processes racing on a cache.
#pragma once

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char **environ;

namespace dstest {

// Starts the child; returns its pid, or -1.
inline pid_t spawnSelf(const std::string &filter, const std::vector<std::string> &extraEnv) {
  std::vector<std::string> env;
  for (char **e = environ; *e; ++e) env.push_back(*e);
  env.insert(env.end(), extraEnv.begin(), extraEnv.end());
  std::vector<char *> envp;
  for (std::string &entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string exe = "/proc/self/exe", filterArg = "--gtest_filter=" + filter;
  char *argv[] = {exe.data(), filterArg.data(), nullptr};
  pid_t pid = -1;
  if (posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, envp.data()) != 0) return -1;
  return pid;
}

// The child's exit code, or -1 when it did not exit normally.
inline int waitExit(pid_t pid) {
  int status = 0;
  if (pid <= 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline int runSelf(const std::string &filter, const std::vector<std::string> &extraEnv) {
  return waitExit(spawnSelf(filter, extraEnv));
}

}  // namespace dstest
