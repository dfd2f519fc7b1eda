// SPDX-License-Identifier: Apache-2.0
#include "tensors.h"

namespace tinyexec::runtime::detail {

int64_t tensor_bytes(const program::Tensor& tensor) {
  const int32_t rank = rank_of(tensor);
  if (rank > kMaxRank) return -1;
  int64_t bytes = dtype_size(tensor.dtype());
  for (int32_t i = 0; i < rank; ++i) {
    const int32_t dim = tensor.shape()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (dim < 1) return -1;
    bytes *= dim;
    if (bytes > INT32_MAX) return -1;
  }
  return bytes;
}

kernels::Dims4 dims4_of(const program::Tensor& tensor) {
  int32_t d[4] = {1, 1, 1, 1};
  const int32_t rank = rank_of(tensor);
  for (int32_t i = 0; i < rank && i < 4; ++i) {
    d[4 - rank + i] = tensor.shape()->Get(static_cast<flatbuffers::uoffset_t>(i));
  }
  return {d[0], d[1], d[2], d[3]};
}

}  // namespace tinyexec::runtime::detail
