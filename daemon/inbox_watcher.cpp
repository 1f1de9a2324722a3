#include "daemon/inbox_watcher.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/logging.h"

namespace alignwatch::daemon {

namespace {
constexpr uint32_t kFileEvents = IN_CLOSE_WRITE | IN_MOVED_TO;

// A regular file with one name: one that is still being written is taken at its close. Anything
// else (a link, a hard link, a FIFO, a device node) is reported as soon as it appears.
bool is_plain_file(const std::filesystem::path& dir, const std::string& name) {
  struct stat st {};
  return ::lstat((dir / name).c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1;
}
}  // namespace

InboxWatcher::InboxWatcher(StateLayout layout, Handler handler, Tick tick,
                           std::chrono::milliseconds sweep_period)
    : layout_(std::move(layout)),
      handler_(std::move(handler)),
      tick_(std::move(tick)),
      sweep_period_(sweep_period) {}

InboxWatcher::~InboxWatcher() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

Status InboxWatcher::start() {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) {
    return Status(StatusCode::kUnavailable, std::string("inotify_init1: ") + std::strerror(errno));
  }
  auto add = [&](const std::filesystem::path& dir, uint32_t mask, int& wd) -> Status {
    wd = ::inotify_add_watch(inotify_fd_, dir.c_str(), mask | IN_ONLYDIR | IN_DONT_FOLLOW);
    if (wd < 0) {
      return Status(StatusCode::kUnavailable,
                    "inotify watch " + dir.string() + ": " + std::strerror(errno));
    }
    return Status::ok();
  };
  // IN_CREATE too: links, FIFOs and device nodes are never closed after writing, and must be
  // refused when they appear, not at the next sweep.
  AW_RETURN_IF_ERROR(add(layout_.inbox_datasets, kFileEvents | IN_CREATE, datasets_wd_));
  AW_RETURN_IF_ERROR(add(layout_.inbox_adapters, kFileEvents | IN_CREATE, adapters_wd_));
  AW_RETURN_IF_ERROR(add(layout_.inbox_control, kFileEvents, control_wd_));
  return Status::ok();
}

void InboxWatcher::watch_adapter_directory(const std::string& name) {
  // Inside an adapter directory only its ready markers matter; links are never followed.
  int wd = ::inotify_add_watch(inotify_fd_, (layout_.inbox_adapters / name).c_str(),
                               kFileEvents | IN_ONLYDIR | IN_DONT_FOLLOW);
  if (wd >= 0) adapter_dirs_[wd] = name;
}

void InboxWatcher::sweep() {
  auto report = [&](const std::filesystem::path& dir, InboxKind kind) {
    std::error_code error;
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      names.push_back(entry.path().filename().string());
    }
    for (const std::string& name : names) {
      if (kind == InboxKind::kAdapters) {
        std::error_code e;
        if (std::filesystem::is_directory(std::filesystem::symlink_status(dir / name, e))) {
          watch_adapter_directory(name);
        }
      }
      handler_(kind, name);
    }
  };
  report(layout_.inbox_datasets, InboxKind::kDatasets);
  report(layout_.inbox_adapters, InboxKind::kAdapters);
  report(layout_.inbox_control, InboxKind::kControl);
}

void InboxWatcher::run() {
  auto log = get_logger("aw.inbox");
  std::vector<char> buffer(64 * 1024);
  auto last_sweep = std::chrono::steady_clock::now();
  while (!stopping_) {
    pollfd pfd{inotify_fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, 250);
    if (tick_) tick_();
    if (stopping_) break;
    if (std::chrono::steady_clock::now() - last_sweep >= sweep_period_) {
      sweep();
      last_sweep = std::chrono::steady_clock::now();
    }
    if (ready <= 0) continue;
    while (true) {
      ssize_t got = ::read(inotify_fd_, buffer.data(), buffer.size());
      if (got <= 0) break;
      for (char* p = buffer.data(); p < buffer.data() + got;) {
        auto* event = reinterpret_cast<inotify_event*>(p);
        p += sizeof(inotify_event) + event->len;
        if (event->mask & IN_Q_OVERFLOW) {
          log->warn("inbox_overflow: inotify dropped events; sweeping the inboxes");
          sweep();
          continue;
        }
        std::string name = event->len ? std::string(event->name) : std::string();
        if (event->wd == datasets_wd_ && !name.empty()) {
          // A regular file just created is still being written: wait for its close.
          if ((event->mask & kFileEvents) || !is_plain_file(layout_.inbox_datasets, name)) {
            handler_(InboxKind::kDatasets, name);
          }
        } else if (event->wd == control_wd_ && !name.empty()) {
          handler_(InboxKind::kControl, name);
        } else if (event->wd == adapters_wd_ && !name.empty()) {
          if (event->mask & IN_ISDIR) {
            watch_adapter_directory(name);
            // The markers may already be there (a directory renamed in whole).
            handler_(InboxKind::kAdapters, name);
          } else if ((event->mask & kFileEvents) || !is_plain_file(layout_.inbox_adapters, name)) {
            handler_(InboxKind::kAdapters, name);
          }
        } else if (auto dir = adapter_dirs_.find(event->wd); dir != adapter_dirs_.end()) {
          if (event->mask & IN_IGNORED) {
            adapter_dirs_.erase(dir);
          } else if (name == "manifest.json" || name == ".ready") {
            handler_(InboxKind::kAdapters, dir->second);
          }
        }
      }
    }
  }
}

}  // namespace alignwatch::daemon
