#pragma once
/// The one worker thread for CPU-heavy pure work that must not run on the event loop, where
/// every probe is timed: parsing an HTML page for its assets, checking a bcrypt password.

#include <boost/asio/thread_pool.hpp>

namespace flywatch::net {

/// Created on first use, joined at exit. Run work on it with co_spawn(worker_pool(), …,
/// use_awaitable): the caller resumes on its own executor.
boost::asio::thread_pool& worker_pool();

}  // namespace flywatch::net
