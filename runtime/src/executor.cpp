// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/runtime/executor.h"

#include <cstdint>

#include "operators.h"
#include "tensors.h"

namespace tinyexec::runtime {

Error Executor::init(const Program& program, void* arena, size_t arena_size) {
  *this = Executor();
  if (arena == nullptr) return Error::kNullArgument;
  if (!program.loaded()) return Error::kNotReady;
  if (reinterpret_cast<uintptr_t>(arena) % kAlignment != 0) return Error::kMisaligned;
  if (arena_size < program.arena_bytes()) return Error::kArenaTooSmall;
  program_ = &program;
  arena_ = static_cast<uint8_t*>(arena);
  const Error error = run_all(/*check_only=*/true, nullptr);
  if (error != Error::kOk) program_ = nullptr;
  return error;
}

Error Executor::execute(const OperatorHook* hook) {
  if (program_ == nullptr) return Error::kNotReady;
  return run_all(/*check_only=*/false, hook);
}

Error Executor::run_all(bool check_only, const OperatorHook* hook) {
  const detail::Binding binding{&program_->flatbuffer(), arena_, program_->constants_};
  const auto& operators = *program_->flatbuffer().operators();
  for (uint32_t i = 0; i < operators.size(); ++i) {
    const int32_t index = static_cast<int32_t>(i);
    if (hook != nullptr && hook->before != nullptr) hook->before(hook->context, index);
    const kernels::Status status = detail::run_operator(binding, *operators.Get(i), check_only);
    if (hook != nullptr && hook->after != nullptr) hook->after(hook->context, index);
    if (status != kernels::Status::kOk) {
      failed_operator_ = index;
      kernel_status_ = status;
      return Error::kKernelRejected;
    }
  }
  return Error::kOk;
}

Error Executor::tensor_ref(int32_t tensor_index, TensorRef* ref) const {
  const program::Tensor& tensor =
      *program_->flatbuffer().tensors()->Get(static_cast<uint32_t>(tensor_index));
  *ref = TensorRef();
  ref->name = tensor.name() != nullptr ? tensor.name()->c_str() : nullptr;
  ref->dtype = static_cast<DType>(tensor.dtype());
  ref->rank = detail::rank_of(tensor);
  for (int32_t d = 0; d < ref->rank; ++d) {
    ref->dims[d] = tensor.shape()->Get(static_cast<uint32_t>(d));
  }
  ref->data = arena_ + tensor.arena_offset();
  ref->bytes = static_cast<size_t>(detail::tensor_bytes(tensor));
  ref->scale = tensor.scale();
  ref->zero_point = tensor.zero_point();
  return Error::kOk;
}

Error Executor::input(int32_t index, TensorRef* tensor) const {
  if (tensor == nullptr) return Error::kNullArgument;
  if (program_ == nullptr) return Error::kNotReady;
  if (index < 0 || index >= program_->num_inputs()) return Error::kBadIndex;
  return tensor_ref(program_->flatbuffer().inputs()->Get(static_cast<uint32_t>(index)), tensor);
}

Error Executor::output(int32_t index, TensorRef* tensor) const {
  if (tensor == nullptr) return Error::kNullArgument;
  if (program_ == nullptr) return Error::kNotReady;
  if (index < 0 || index >= program_->num_outputs()) return Error::kBadIndex;
  return tensor_ref(program_->flatbuffer().outputs()->Get(static_cast<uint32_t>(index)), tensor);
}

Error Executor::operator_output(int32_t index, TensorRef* tensor) const {
  if (tensor == nullptr) return Error::kNullArgument;
  if (program_ == nullptr) return Error::kNotReady;
  if (index < 0 || index >= program_->num_operators()) return Error::kBadIndex;
  const auto* outputs =
      program_->flatbuffer().operators()->Get(static_cast<uint32_t>(index))->outputs();
  if (outputs == nullptr || outputs->size() == 0) return Error::kBadIndex;
  return tensor_ref(outputs->Get(0), tensor);
}

const char* Executor::operator_name(int32_t index) const {
  if (program_ == nullptr || index < 0 || index >= program_->num_operators()) return "";
  const auto* name = program_->flatbuffer().operators()->Get(static_cast<uint32_t>(index))->name();
  return name != nullptr ? name->c_str() : "";
}

const char* Executor::operator_kind(int32_t index) const {
  if (program_ == nullptr || index < 0 || index >= program_->num_operators()) return "";
  return program::EnumNameOpParams(
      program_->flatbuffer().operators()->Get(static_cast<uint32_t>(index))->params_type());
}

}  // namespace tinyexec::runtime
