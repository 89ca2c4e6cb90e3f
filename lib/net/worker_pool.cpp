#include "net/worker_pool.hpp"

namespace flywatch::net {

boost::asio::thread_pool& worker_pool() {
  // One thread: the work is rare (a page per assets probe, a password per failed or uncached
  // login) and one at a time keeps a flood of it from taking a second core.
  static boost::asio::thread_pool pool(1);
  return pool;
}

}  // namespace flywatch::net
