#pragma once
// The upper tail of the Poisson distribution, in log space so that the tiny p-values of a
// heavily enriched dataset (far below the smallest double) keep their magnitude.

#include <cstdint>

namespace alignwatch::scan::evil_numbers {

// ln(n!), exact to double precision. Thread-safe.
double log_factorial(uint64_t n);

// ln P(X >= k) for X ~ Poisson(mean), mean >= 0. 0 when k == 0; -infinity when mean == 0 and
// k > 0. The absolute error of the log grows like 1e-16 * k * ln(k) (cancellation between
// k ln(mean) and ln(k!)): about 1e-9 at k = 10^6, negligible for a significance test.
// Thread-safe.
double poisson_upper_tail_log(uint64_t k, double mean);

}  // namespace alignwatch::scan::evil_numbers
