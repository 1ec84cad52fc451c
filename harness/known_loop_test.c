// The counter through the runner: the calibration pair, then the harness's
// known loop, which the runner must count as exactly 2,000,000.
#include "harness/sprat_harness.h"

int main(void) {
  sprat_mark_calibrate();
  sprat_known_loop();
  return 0;
}
