#include "alert/outbox_worker.hpp"

namespace flywatch::alert {

OutboxWorker::OutboxWorker(std::unique_ptr<WebhookOutbox> outbox, bool own_thread)
    : outbox_(std::move(outbox)) {
  if (own_thread) pool_.emplace(1);
}

OutboxWorker::~OutboxWorker() {
  if (pool_) pool_->join();
}

}  // namespace flywatch::alert
