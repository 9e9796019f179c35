// mapFile(path) -> ArrayBuffer over the file mapped copy-on-write (native/io/mapped_file.hpp), unmapped
// when the buffer is collected; releaseMapped(view) hands back the pages a sequential reader is done
// with. The readers' file input (src/io/file-bytes.ts, src/io/csv-source.ts) without a copy.
// The target defines NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED so that no kernel hands out external memory
// (a V8 sandbox refuses it); this file is the one exception, and falls back when the runtime refuses.
#undef NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED
#include <map>
#include <mutex>

#include "common.h"
#include "mapped_file.hpp"

namespace kernelbus::binding {
namespace {

// The live mappings by address: releaseMapped() acts only on memory that is one of them (the same call
// on ordinary memory would zero it).
std::mutex liveMutex;
std::map<const uint8_t*, io::MappedFile*> live;

void unmap(napi_env, void*, void* hint) {
  auto* file = static_cast<io::MappedFile*>(hint);
  {
    std::lock_guard<std::mutex> lock(liveMutex);
    live.erase(file->data());
  }
  delete file;
}

Napi::Value MapFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  requireArgCount(info, 1);
  if (!info[0].IsString()) throw inputError(env, "path", "a file path", describeValue(info[0]));
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  std::string error;
  std::unique_ptr<io::MappedFile> file = io::MappedFile::open(path.c_str(), error);
  if (!file) throw inputError(env, path, "a readable file", error);
  if (file->size() == 0) return Napi::ArrayBuffer::New(env, 0);
  napi_value out;
  const napi_status status =
      napi_create_external_arraybuffer(env, file->data(), file->size(), unmap, file.get(), &out);
  // a runtime that allows no external memory (a V8 sandbox) says so: the caller reads the file instead
  if (status != napi_ok) return env.Null();
  {
    std::lock_guard<std::mutex> lock(liveMutex);
    live[file->data()] = file.get();
  }
  file.release();  // owned by the ArrayBuffer's finalizer now
  return Napi::Value(env, out);
}

Napi::Value ReleaseMapped(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  requireArgCount(info, 1);
  if (!info[0].IsTypedArray()) throw inputError(env, "view", "a Uint8Array over a mapped file", describeValue(info[0]));
  Napi::TypedArray view = info[0].As<Napi::TypedArray>();
  const auto* base = static_cast<const uint8_t*>(view.ArrayBuffer().Data());
  std::lock_guard<std::mutex> lock(liveMutex);
  const auto it = live.find(base);
  if (it == live.end()) throw inputError(env, "view", "a Uint8Array over a mapped file", "other memory");
  it->second->release(view.ByteOffset(), view.ByteLength());
  return env.Undefined();
}

}  // namespace

void registerMap(Napi::Env env, Napi::Object exports) {
  exports.Set("mapFile", Napi::Function::New<MapFile>(env, "mapFile"));
  exports.Set("releaseMapped", Napi::Function::New<ReleaseMapped>(env, "releaseMapped"));
}

}  // namespace kernelbus::binding
