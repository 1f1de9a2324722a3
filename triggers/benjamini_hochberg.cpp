#include "triggers/benjamini_hochberg.h"

#include <algorithm>
#include <numeric>

namespace alignwatch::triggers {

std::vector<double> benjamini_hochberg(std::span<const double> p_values, uint64_t hypotheses) {
  const size_t count = p_values.size();
  std::vector<double> q_values(count, 1.0);
  if (count == 0) {
    return q_values;
  }
  const double family = static_cast<double>(std::max<uint64_t>(hypotheses, count));
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return p_values[x] < p_values[y]; });
  // q of the i-th smallest p is min over j >= i of p_(j) * m / j. The untested hypotheses rank
  // after every tested one with p = 1, which only contributes the cap at 1.
  double running_min = 1.0;
  for (size_t rank = count; rank >= 1; --rank) {
    const size_t index = order[rank - 1];
    running_min = std::min(running_min, p_values[index] * family / static_cast<double>(rank));
    q_values[index] = running_min;
  }
  return q_values;
}

}  // namespace alignwatch::triggers
