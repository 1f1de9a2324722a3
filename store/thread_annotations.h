#pragma once
// Clang thread-safety annotations (-Wthread-safety), empty under g++, which does not check them.
// They document which mutex guards which member even where no compiler enforces it.
// TODO(lead): move to core/ once a second module needs them.

#if defined(__clang__)
#define AW_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define AW_THREAD_ANNOTATION(x)
#endif

#define AW_GUARDED_BY(mu) AW_THREAD_ANNOTATION(guarded_by(mu))
#define AW_REQUIRES(mu) AW_THREAD_ANNOTATION(requires_capability(mu))
#define AW_EXCLUDES(mu) AW_THREAD_ANNOTATION(locks_excluded(mu))
