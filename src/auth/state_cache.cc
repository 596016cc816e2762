#include "auth/state_cache.h"

namespace plinth::auth {

StateCache::StateCache(const base::Clock* clock, std::chrono::milliseconds ttl,
                       std::size_t max_entries)
    : clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

std::optional<StateCache::SessionState> StateCache::GetSession(const std::string& hash) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(hash);
  if (it == sessions_.end()) return std::nullopt;
  if (clock_->SteadyNow() >= it->second.until) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second.value;
}

void StateCache::PutSession(const std::string& hash, SessionState state) {
  if (ttl_.count() == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (sessions_.size() >= max_entries_) sessions_.clear();
  sessions_[hash] = {std::move(state), clock_->SteadyNow() + ttl_};
}

void StateCache::ForgetSession(const std::string& hash) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(hash);
}

std::shared_ptr<const User> StateCache::GetUser(const std::string& user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = users_.find(user_id);
  if (it == users_.end()) return nullptr;
  if (clock_->SteadyNow() >= it->second.until) {
    users_.erase(it);
    return nullptr;
  }
  return it->second.value;
}

void StateCache::PutUser(std::shared_ptr<const User> user) {
  if (ttl_.count() == 0 || user == nullptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (users_.size() >= max_entries_) users_.clear();
  std::string id = user->id;
  users_[id] = {std::move(user), clock_->SteadyNow() + ttl_};
}

void StateCache::ForgetUser(const std::string& user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  users_.erase(user_id);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.value.user_id == user_id) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace plinth::auth
