"""Stands in for `python -m supportlens.cli` in job tests: echoes its arguments.

`train --label-set bitext` fails (exit 3) and `--config slow.yaml` takes a while, so
tests can see failed and still-running jobs.
"""

import sys
import time

args = sys.argv[1:]
print("fake supportlens", " ".join(args), flush=True)
if any(a.endswith("slow.yaml") for a in args):
    time.sleep(3)
if "bitext" in args:
    print("training failed on purpose", flush=True)
    sys.exit(3)
print("done", flush=True)
