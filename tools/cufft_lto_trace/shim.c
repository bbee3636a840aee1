/* Logging stand-ins for libnvrtc.so.13 and libnvJitLink.so.13, for diagnosing cuFFT's LTO callbacks.
 *
 * cuFFT dlopens NVRTC and nvJitLink by soname (its RPATH is $ORIGIN), so a copy of libcufft.so.12 in
 * a folder beside these stand-ins loads them. Each call is forwarded to the real library (paths in
 * NVMATH_REAL_NVRTC / NVMATH_REAL_NVJITLINK) and logged on stderr with its status, options and, on
 * failure, the library's own log. Build one library per role:
 *   gcc -shared -fPIC -DROLE_NVRTC    shim.c -o libnvrtc.so.13    -ldl
 *   gcc -shared -fPIC -DROLE_NVJITLINK shim.c -o libnvJitLink.so.13 -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *real_symbol(const char *env, const char *name) {
  static void *handle;
  if (!handle) {
    const char *path = getenv(env);
    handle = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    if (!handle) { fprintf(stderr, "[trace] cannot open %s=%s: %s\n", env, path ? path : "(unset)", dlerror()); abort(); }
  }
  void *f = dlsym(handle, name);
  if (!f) fprintf(stderr, "[trace] the real library lacks %s\n", name);
  return f;
}

#ifdef ROLE_NVRTC
#define REAL(name) real_symbol("NVMATH_REAL_NVRTC", name)
typedef int (*fn_create)(void **, const char *, const char *, int, const char *const *, const char *const *);
typedef int (*fn_compile)(void *, int, const char *const *);
typedef int (*fn_p)(void *);
typedef int (*fn_pp)(void *, void *);
typedef int (*fn_v)(int *, int *);
typedef const char *(*fn_err)(int);

int nvrtcVersion(int *major, int *minor) { int r = ((fn_v)REAL("nvrtcVersion"))(major, minor); fprintf(stderr, "[trace] nvrtcVersion -> %d.%d\n", *major, *minor); return r; }
const char *nvrtcGetErrorString(int s) { return ((fn_err)REAL("nvrtcGetErrorString"))(s); }
int nvrtcCreateProgram(void **prog, const char *src, const char *name, int nh, const char *const *h, const char *const *hn) {
  int r = ((fn_create)REAL("nvrtcCreateProgram"))(prog, src, name, nh, h, hn);
  fprintf(stderr, "[trace] nvrtcCreateProgram(%s, %zu chars, %d headers) -> %d\n", name ? name : "-", src ? strlen(src) : 0, nh, r);
  const char *dump = getenv("NVMATH_TRACE_DUMP_DIR");
  if (dump && src) { char p[4096]; static int n; snprintf(p, sizeof p, "%s/nvrtc_%03d.cu", dump, n++); FILE *f = fopen(p, "w"); if (f) { fputs(src, f); fclose(f); } }
  return r;
}
int nvrtcCompileProgram(void *prog, int n, const char *const *opts) {
  int r = ((fn_compile)REAL("nvrtcCompileProgram"))(prog, n, opts);
  fprintf(stderr, "[trace] nvrtcCompileProgram(");
  for (int i = 0; i < n; ++i) fprintf(stderr, "%s%s", i ? " " : "", opts[i]);
  fprintf(stderr, ") -> %d\n", r);
  size_t size = 0;
  ((fn_pp)REAL("nvrtcGetProgramLogSize"))(prog, &size);
  if (size > 1) { char *log = malloc(size); ((fn_pp)REAL("nvrtcGetProgramLog"))(prog, log); fprintf(stderr, "[trace] nvrtc log: %.4000s\n", log); free(log); }
  return r;
}
int nvrtcDestroyProgram(void *prog) { return ((fn_p)REAL("nvrtcDestroyProgram"))(prog); }
int nvrtcGetProgramLogSize(void *p, void *s) { return ((fn_pp)REAL("nvrtcGetProgramLogSize"))(p, s); }
int nvrtcGetProgramLog(void *p, void *s) { return ((fn_pp)REAL("nvrtcGetProgramLog"))(p, s); }
int nvrtcGetLTOIRSize(void *p, void *s) { int r = ((fn_pp)REAL("nvrtcGetLTOIRSize"))(p, s); fprintf(stderr, "[trace] nvrtcGetLTOIRSize -> %d (%zu bytes)\n", r, *(size_t *)s); return r; }
int nvrtcGetLTOIR(void *p, void *s) { return ((fn_pp)REAL("nvrtcGetLTOIR"))(p, s); }
int nvrtcGetPTXSize(void *p, void *s) { return ((fn_pp)REAL("nvrtcGetPTXSize"))(p, s); }
int nvrtcGetPTX(void *p, void *s) { return ((fn_pp)REAL("nvrtcGetPTX"))(p, s); }
int nvrtcGetCUBINSize(void *p, void *s) { return ((fn_pp)REAL("nvrtcGetCUBINSize"))(p, s); }
int nvrtcGetCUBIN(void *p, void *s) { return ((fn_pp)REAL("nvrtcGetCUBIN"))(p, s); }
int nvrtcAddNameExpression(void *p, void *s) { return ((fn_pp)REAL("nvrtcAddNameExpression"))(p, s); }
int nvrtcGetNumSupportedArchs(void *n) { return ((int (*)(void *))REAL("nvrtcGetNumSupportedArchs"))(n); }
int nvrtcGetSupportedArchs(void *a) { return ((int (*)(void *))REAL("nvrtcGetSupportedArchs"))(a); }
#endif

#ifdef ROLE_NVJITLINK
#define REAL(name) real_symbol("NVMATH_REAL_NVJITLINK", name)
typedef int (*fn_create)(void **, uint32_t, const char **);
typedef int (*fn_add)(void *, int, const void *, size_t, const char *);
typedef int (*fn_h)(void *);
typedef int (*fn_hp)(void *, void *);
typedef int (*fn_v)(unsigned *, unsigned *);

static void logs(void *h, const char *suffix) {
  char name[128]; size_t size = 0;
  snprintf(name, sizeof name, "__nvJitLinkGetErrorLogSize%s", suffix); ((fn_hp)REAL(name))(h, &size);
  if (size > 1) { char *log = malloc(size); snprintf(name, sizeof name, "__nvJitLinkGetErrorLog%s", suffix); ((fn_hp)REAL(name))(h, log); fprintf(stderr, "[trace] nvJitLink error log: %.4000s\n", log); free(log); }
  size = 0; snprintf(name, sizeof name, "__nvJitLinkGetInfoLogSize%s", suffix); ((fn_hp)REAL(name))(h, &size);
  if (size > 1) { char *log = malloc(size); snprintf(name, sizeof name, "__nvJitLinkGetInfoLog%s", suffix); ((fn_hp)REAL(name))(h, log); fprintf(stderr, "[trace] nvJitLink info log: %.4000s\n", log); free(log); }
}

#define VERSIONED(S)                                                                                            \
  int __nvJitLinkCreate##S(void **h, uint32_t n, const char **opts) {                                          \
    int r = ((fn_create)REAL("__nvJitLinkCreate" #S))(h, n, opts);                                               \
    fprintf(stderr, "[trace] nvJitLinkCreate" #S "(");                                                          \
    for (uint32_t i = 0; i < n; ++i) fprintf(stderr, "%s%s", i ? " " : "", opts[i]);                            \
    fprintf(stderr, ") -> %d\n", r);                                                                            \
    return r;                                                                                                   \
  }                                                                                                             \
  int __nvJitLinkAddData##S(void *h, int type, const void *data, size_t size, const char *name) {               \
    int r = ((fn_add)REAL("__nvJitLinkAddData" #S))(h, type, data, size, name);                                  \
    fprintf(stderr, "[trace] nvJitLinkAddData(type %d, %zu bytes, %s) -> %d\n", type, size, name ? name : "-", r); \
    if (r) logs(h, #S);                                                                                         \
    return r;                                                                                                   \
  }                                                                                                             \
  int __nvJitLinkAddFile##S(void *h, int type, const char *file) {                                              \
    int r = ((int (*)(void *, int, const char *))REAL("__nvJitLinkAddFile" #S))(h, type, file);                 \
    fprintf(stderr, "[trace] nvJitLinkAddFile(type %d, %s) -> %d\n", type, file, r);                             \
    return r;                                                                                                   \
  }                                                                                                             \
  int __nvJitLinkComplete##S(void *h) {                                                                         \
    int r = ((fn_h)REAL("__nvJitLinkComplete" #S))(h);                                                           \
    fprintf(stderr, "[trace] nvJitLinkComplete -> %d\n", r);                                                    \
    logs(h, #S);                                                                                                \
    return r;                                                                                                   \
  }                                                                                                             \
  int __nvJitLinkDestroy##S(void *h) { return ((fn_h)REAL("__nvJitLinkDestroy" #S))(h); }                       \
  int __nvJitLinkGetErrorLogSize##S(void *h, void *s) { return ((fn_hp)REAL("__nvJitLinkGetErrorLogSize" #S))(h, s); } \
  int __nvJitLinkGetErrorLog##S(void *h, void *s) { return ((fn_hp)REAL("__nvJitLinkGetErrorLog" #S))(h, s); }  \
  int __nvJitLinkGetInfoLogSize##S(void *h, void *s) { return ((fn_hp)REAL("__nvJitLinkGetInfoLogSize" #S))(h, s); } \
  int __nvJitLinkGetInfoLog##S(void *h, void *s) { return ((fn_hp)REAL("__nvJitLinkGetInfoLog" #S))(h, s); }    \
  int __nvJitLinkGetLinkedCubinSize##S(void *h, void *s) { return ((fn_hp)REAL("__nvJitLinkGetLinkedCubinSize" #S))(h, s); } \
  int __nvJitLinkGetLinkedCubin##S(void *h, void *s) { return ((fn_hp)REAL("__nvJitLinkGetLinkedCubin" #S))(h, s); } \
  int __nvJitLinkGetLinkedPtxSize##S(void *h, void *s) { return ((fn_hp)REAL("__nvJitLinkGetLinkedPtxSize" #S))(h, s); } \
  int __nvJitLinkGetLinkedPtx##S(void *h, void *s) { return ((fn_hp)REAL("__nvJitLinkGetLinkedPtx" #S))(h, s); }

/* Only the versions the real library has (run.py passes -DHAS_13_<minor>): cuFFT picks the newest
 * entry points it finds, and a stand-in must not offer more than it can forward. */
#ifdef HAS_13_0
VERSIONED(_13_0)
#endif
#ifdef HAS_13_1
VERSIONED(_13_1)
#endif
#ifdef HAS_13_2
VERSIONED(_13_2)
#endif
#ifdef HAS_13_3
VERSIONED(_13_3)
#endif
#ifdef HAS_13_4
VERSIONED(_13_4)
#endif
#ifdef HAS_13_5
VERSIONED(_13_5)
#endif
int nvJitLinkVersion(unsigned *major, unsigned *minor) {
  int r = ((fn_v)REAL("nvJitLinkVersion"))(major, minor);
  fprintf(stderr, "[trace] nvJitLinkVersion -> %u.%u\n", *major, *minor);
  return r;
}
#endif
