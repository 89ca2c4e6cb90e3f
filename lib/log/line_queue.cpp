#include "log/line_queue.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace flywatch::log {

struct LineQueue::Shared {
  int fd;
  std::size_t capacity;
  mutable std::mutex mutex;
  std::condition_variable wake;     // the writer: a line came, or stop
  std::condition_variable written;  // flushers and close(): the writer made progress
  std::deque<std::string> lines;
  std::size_t queued_bytes = 0;
  std::uint64_t pushed = 0;       // lines accepted so far
  std::uint64_t done = 0;         // lines written (or given up) so far
  std::uint64_t dropped = 0;
  std::uint64_t unreported = 0;
  bool stopping = false;  // no more pushes; write what is queued
  bool abandon = false;   // stop writing now
  bool finished = false;  // the writer thread is past its last write

  // Writes one whole line. Waits for the descriptor with poll() in short slices so that
  // `abandon` is seen even when nobody reads it.
  void write_line(const std::string& line) {
    std::size_t off = 0;
    while (off < line.size()) {
      {
        std::lock_guard lock(mutex);
        if (abandon) return;
      }
      pollfd p{fd, POLLOUT, 0};
      const int ready = ::poll(&p, 1, 100);
      if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
      if (ready < 0 || (p.revents & (POLLERR | POLLNVAL)) != 0) return;  // gone: the line is lost
      const ssize_t n = ::write(fd, line.data() + off, line.size() - off);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
        return;  // EPIPE and the like: nothing will ever read it
      }
      off += static_cast<std::size_t>(n);
    }
  }

  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return !lines.empty() || stopping || abandon; });
      if (abandon || lines.empty()) break;  // lines.empty() here means stopping
      std::string line = std::move(lines.front());
      lines.pop_front();
      lock.unlock();
      write_line(line);
      lock.lock();
      queued_bytes -= line.size();
      ++done;
      written.notify_all();
    }
    finished = true;
    written.notify_all();
  }
};

LineQueue::LineQueue(int fd, std::size_t capacity_bytes)
    : shared_(std::make_shared<Shared>()) {
  shared_->fd = fd;
  shared_->capacity = capacity_bytes;
  // The thread holds the state: if it must be left behind (close()), nothing it uses is freed.
  std::thread([s = shared_] { s->run(); }).detach();
}

LineQueue::~LineQueue() { close(std::chrono::seconds(2)); }

namespace {

// Under the mutex: queues the notice of unreported drops when it fits with `room_for` more.
void queue_notice(LineQueue::Shared& s, const std::function<std::string(std::uint64_t)>& notice,
                  std::size_t room_for);

}  // namespace

bool LineQueue::push(std::string line, const std::function<std::string(std::uint64_t)>& notice) {
  std::lock_guard lock(shared_->mutex);
  Shared& s = *shared_;
  if (s.stopping || s.queued_bytes + line.size() > s.capacity) {
    ++s.dropped;
    ++s.unreported;
    return false;
  }
  queue_notice(s, notice, line.size());
  s.queued_bytes += line.size();
  s.lines.push_back(std::move(line));
  ++s.pushed;
  s.wake.notify_one();
  return true;
}

void LineQueue::report_drops(const std::function<std::string(std::uint64_t)>& notice) {
  std::lock_guard lock(shared_->mutex);
  if (shared_->stopping) return;
  queue_notice(*shared_, notice, 0);
  shared_->wake.notify_one();
}

namespace {

void queue_notice(LineQueue::Shared& s, const std::function<std::string(std::uint64_t)>& notice,
                  std::size_t room_for) {
  if (s.unreported == 0 || !notice) return;
  std::string text = notice(s.unreported);
  if (s.queued_bytes + text.size() + room_for > s.capacity) return;
  s.queued_bytes += text.size();
  s.lines.push_back(std::move(text));
  ++s.pushed;
  s.unreported = 0;
}

}  // namespace

bool LineQueue::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(shared_->mutex);
  Shared& s = *shared_;
  const std::uint64_t target = s.pushed;
  return s.written.wait_for(lock, timeout, [&] { return s.done >= target || s.finished; }) &&
         s.done >= target;
}

std::uint64_t LineQueue::dropped() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->dropped;
}

std::uint64_t LineQueue::unreported() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->unreported;
}

void LineQueue::close(std::chrono::milliseconds timeout) {
  std::unique_lock lock(shared_->mutex);
  Shared& s = *shared_;
  s.stopping = true;
  s.wake.notify_one();
  if (s.written.wait_for(lock, timeout, [&] { return s.finished; })) return;
  // The reader is gone or stuck: give up the rest. The writer leaves its poll() within 100 ms;
  // a write(2) that blocks anyway keeps the (detached) thread, which owns what it uses.
  s.abandon = true;
  s.wake.notify_one();
  s.written.wait_for(lock, std::chrono::milliseconds(500), [&] { return s.finished; });
}

}  // namespace flywatch::log
