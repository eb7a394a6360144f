// Vector variants of exp for GCC's loop vectoriser (included in every cpp_standalone file).
//
// Brian compiles with -ffast-math -fno-finite-math-only. Under that combination glibc's
// <math.h> does not announce the SIMD variants of exp from libmvec (it does so only when
// __FAST_MATH__ is defined, which -fno-finite-math-only removes), so every neuron loop that
// calls exp (the dendritic plateau nonlinearity, the AdEx spike current) stays scalar: on the
// Payeur Fig-3 circuit the pyramidal state update cost ~22 ns per neuron and step instead of
// ~7. This header makes the same declaration glibc makes under -ffast-math; the vectorised
// loops then call libmvec's _ZGVdN4v_exp / _ZGVbN2v_exp (glibc documents them as accurate to
// a few ulp and IEEE-correct for inf/nan, so -fno-finite-math-only semantics are kept).
// Scalar code (and everything on other compilers or platforms) is unchanged.
#pragma once
#include <cmath>
#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__) && defined(__x86_64__) \
    && defined(__GLIBC__) && !defined(__FAST_MATH__) \
    && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 22))
extern "C" {
__attribute__((__simd__("notinbranch"))) double exp(double) noexcept(true);
}
#endif
