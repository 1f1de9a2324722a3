#pragma once
// The one adapter boundary between libtorch and the runtime: libtorch reports errors by throwing
// c10::Error (and std::bad_alloc on out-of-memory); torch_call runs a callable and turns what it
// throws into a Status. Every public runtime entry point that touches tensors goes through it.

#include <new>
#include <string>
#include <utility>

#include <c10/util/Exception.h>

#include "core/status.h"

namespace alignwatch::runtime {

template <typename F>
auto torch_call(const std::string& what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    if (msg.size() > 300) msg.resize(300);
    return make_error(StatusCode::kInternal, what + ": libtorch: " + msg);
  } catch (const std::bad_alloc&) {
    return make_error(StatusCode::kResourceExhausted, what + ": out of memory");
  } catch (const std::exception& e) {
    return make_error(StatusCode::kInternal, what + ": " + e.what());
  }
}

}  // namespace alignwatch::runtime
