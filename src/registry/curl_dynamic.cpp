// libcurl, loaded on first use. `lmp run` of a local or cached package never touches the
// network, and linking libcurl (with OpenSSL, GnuTLS, Kerberos, LDAP, ...) cost every
// start ~25 ms and ~7 MB of RSS (bench/README.md). So lmp does not link libcurl: this file
// defines the few curl_* functions lmp calls and forwards them to libcurl.so.4, opened
// with dlopen the first time one is called. When libcurl is missing, init calls fail and
// the reason is logged once.
#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>
#include <mutex>
#include <string>

#include "common/log.h"

namespace {

struct CurlApi {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
  bool loaded = false;
};

template <typename Fn>
bool bind(void* library, const char* name, Fn& into) {
  into = reinterpret_cast<Fn>(dlsym(library, name));
  return into != nullptr;
}

const CurlApi& api() {
  static CurlApi curl;
  static std::once_flag once;
  std::call_once(once, [] {
    void* library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) library = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      lmp::log::error(
          "libcurl is not installed, so lmp cannot download (apt-get install libcurl4)");
      return;
    }
    curl.loaded = bind(library, "curl_global_init", curl.global_init) &&
                  bind(library, "curl_easy_init", curl.easy_init) &&
                  bind(library, "curl_easy_setopt", curl.easy_setopt) &&
                  bind(library, "curl_easy_perform", curl.easy_perform) &&
                  bind(library, "curl_easy_getinfo", curl.easy_getinfo) &&
                  bind(library, "curl_easy_cleanup", curl.easy_cleanup) &&
                  bind(library, "curl_easy_strerror", curl.easy_strerror) &&
                  bind(library, "curl_slist_append", curl.slist_append) &&
                  bind(library, "curl_slist_free_all", curl.slist_free_all);
    if (!curl.loaded) lmp::log::error("the installed libcurl lacks a function lmp needs");
  });
  return curl;
}

}  // namespace

extern "C" {

CURLcode curl_global_init(long flags) {
  return api().loaded ? api().global_init(flags) : CURLE_FAILED_INIT;
}

CURL* curl_easy_init(void) {
  return api().loaded ? api().easy_init() : nullptr;
}

// Every option takes exactly one argument whose type follows from the option's number
// range (CURLOPTTYPE_*), which is how libcurl itself reads it.
CURLcode curl_easy_setopt(CURL* handle, CURLoption option, ...) {
  if (!api().loaded) return CURLE_FAILED_INIT;
  va_list args;
  va_start(args, option);
  CURLcode result;
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    result = api().easy_setopt(handle, option, va_arg(args, long));
  } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
    result = api().easy_setopt(handle, option, va_arg(args, void*));
  } else if (option < CURLOPTTYPE_OFF_T) {
    result = api().easy_setopt(handle, option, va_arg(args, void (*)()));
  } else if (option < CURLOPTTYPE_BLOB) {
    result = api().easy_setopt(handle, option, va_arg(args, curl_off_t));
  } else {
    result = api().easy_setopt(handle, option, va_arg(args, void*));
  }
  va_end(args);
  return result;
}

CURLcode curl_easy_perform(CURL* handle) {
  return api().loaded ? api().easy_perform(handle) : CURLE_FAILED_INIT;
}

// Every info query takes one pointer to where the answer goes.
CURLcode curl_easy_getinfo(CURL* handle, CURLINFO info, ...) {
  if (!api().loaded) return CURLE_FAILED_INIT;
  va_list args;
  va_start(args, info);
  void* out = va_arg(args, void*);
  va_end(args);
  return api().easy_getinfo(handle, info, out);
}

void curl_easy_cleanup(CURL* handle) {
  if (api().loaded) api().easy_cleanup(handle);
}

const char* curl_easy_strerror(CURLcode code) {
  return api().loaded ? api().easy_strerror(code) : "libcurl is not available";
}

curl_slist* curl_slist_append(curl_slist* list, const char* text) {
  return api().loaded ? api().slist_append(list, text) : nullptr;
}

void curl_slist_free_all(curl_slist* list) {
  if (api().loaded) api().slist_free_all(list);
}

}  // extern "C"
