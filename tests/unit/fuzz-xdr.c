/* libFuzzer target for the host-side decoders (built only when clang is
 * installed; see tests/unit/meson.build).  The first input byte picks the
 * decoder (or the frame reader), the rest is the encoded input.
 *
 *   BUILD/tests/unit/fuzz-xdr -max_total_time=60 [CORPUS_DIR]  */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-decoders.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  size_t which = data[0] % (N_FUZZ_DECODERS + 1);
  data++, size--;
  if (which == N_FUZZ_DECODERS) {
    int err;
    fuzz_frames (data, size, &err);
    return 0;
  }
  struct xdr x;
  xdr_dec_init (&x, (const char *) data, size);
  if (fuzz_decoders[which].decode (&x) == -1 && x.error == 0)
    abort ();   /* a refusal must say why */
  return 0;
}
