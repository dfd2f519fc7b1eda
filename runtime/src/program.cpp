// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/runtime/program.h"

#include <cstdint>

#include "operators.h"
#include "tensors.h"

namespace tinyexec::runtime {

using detail::length;
using detail::tensor_bytes;

namespace {

bool aligned(const void* pointer, size_t alignment) {
  return reinterpret_cast<uintptr_t>(pointer) % alignment == 0;
}

}  // namespace

Error Program::load(const void* data, size_t size) {
  *this = Program();
  if (data == nullptr) return Error::kNullArgument;
  if (!aligned(data, kAlignment)) return Error::kMisaligned;
  // FlatBuffers buffers are below 2 GiB: its verifier asserts so (an abort, not an error).
  if (size < 8 || size >= FLATBUFFERS_MAX_BUFFER_SIZE) return Error::kMalformed;
  if (!program::ProgramBufferHasIdentifier(data)) return Error::kMalformed;
  flatbuffers::Verifier verifier(static_cast<const uint8_t*>(data), size);
  if (!program::VerifyProgramBuffer(verifier)) return Error::kMalformed;

  const program::Program* root = program::GetProgram(data);
  if (root->version() != kProgramVersion) return Error::kUnsupportedVersion;
  if (root->tensors() == nullptr || root->operators() == nullptr) return Error::kMalformed;
  if (root->constants() != nullptr && root->constants()->size() > 0) {
    constants_ = root->constants()->data();
    constants_size_ = root->constants()->size();
    if (!aligned(constants_, kAlignment)) return Error::kMisaligned;
  }
  arena_bytes_ = root->arena_bytes();
  if (arena_bytes_ > INT32_MAX) return Error::kBadTensor;
  program_ = root;

  Error error = verify_tensors();
  if (error == Error::kOk) error = verify_operators();
  if (error != Error::kOk) program_ = nullptr;
  return error;
}

Error Program::verify_tensors() {
  const auto& tensors = *program_->tensors();
  for (uint32_t i = 0; i < tensors.size(); ++i) {
    failed_tensor_ = static_cast<int32_t>(i);
    const program::Tensor& tensor = *tensors.Get(i);
    const program::DType dtype = tensor.dtype();
    if (dtype != program::DType::Int8 && dtype != program::DType::Int32 &&
        dtype != program::DType::Float32) {
      return Error::kBadTensor;
    }
    const int64_t bytes = tensor_bytes(tensor);
    if (bytes < 0) return Error::kBadTensor;
    const bool in_arena = tensor.arena_offset() >= 0;
    const bool constant = tensor.constant_offset() >= 0;
    if (in_arena == constant) return Error::kBadTensor;  // exactly one placement
    const int64_t offset = in_arena ? tensor.arena_offset() : tensor.constant_offset();
    if (offset % detail::dtype_size(dtype) != 0) return Error::kMisaligned;
    const int64_t limit = in_arena ? arena_bytes_ : constants_size_;
    if (offset + bytes > limit) return Error::kOutOfBounds;
  }
  // Graph inputs and outputs are arena tensors (the caller writes and reads them there).
  for (const auto* list : {program_->inputs(), program_->outputs()}) {
    for (int32_t i = 0; i < length(list); ++i) {
      const int32_t index = list->Get(static_cast<uint32_t>(i));
      failed_tensor_ = index;
      if (index < 0 || index >= static_cast<int32_t>(tensors.size())) return Error::kBadIndex;
      if (tensors.Get(static_cast<uint32_t>(index))->arena_offset() < 0) return Error::kBadTensor;
    }
  }
  failed_tensor_ = -1;
  return Error::kOk;
}

Error Program::verify_operators() {
  const auto& operators = *program_->operators();
  for (uint32_t i = 0; i < operators.size(); ++i) {
    failed_operator_ = static_cast<int32_t>(i);
    const Error error = detail::verify_operator(*program_, *operators.Get(i));
    if (error != Error::kOk) return error;
  }
  failed_operator_ = -1;
  return Error::kOk;
}

int32_t Program::num_inputs() const { return loaded() ? length(program_->inputs()) : 0; }
int32_t Program::num_outputs() const { return loaded() ? length(program_->outputs()) : 0; }
int32_t Program::num_operators() const {
  return loaded() ? static_cast<int32_t>(program_->operators()->size()) : 0;
}

}  // namespace tinyexec::runtime
