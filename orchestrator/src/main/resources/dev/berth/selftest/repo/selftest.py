"""berth's self-test on Python: multiplies two random matrices on the CPU (numpy, else torch) or on
a GPU (torch, else cupy), times the multiplication and checks the product.

    python3 selftest.py cpu|gpu

Prints one line of figures. Exit status: 0 when the product checks out, 1 when it does not (or the
library failed), 3 when the image has no library for that part: selftest.sh then multiplies on the
CPU with awk, or fails the GPU part saying so.
"""

import os
import sys
import time

CPU_SIZE = 2048
GPU_SIZE = 8192
NO_LIBRARY = 3
# Rounding grows with n; these are far above it for the sizes here and far below any real fault
TOLERANCE = {"float64": 1e-9, "float32": 1e-4}


class Library:
    """One library's way to make random matrices on its device, multiply them and wait for the device."""

    def __init__(self, name, dtype, random, norm, synchronize):
        self.name = name
        self.dtype = dtype
        self.random = random
        self.norm = norm
        self.synchronize = synchronize


def numpy_cpu():
    import numpy

    generator = numpy.random.default_rng()
    return Library("numpy " + numpy.__version__, "float64",
                   lambda *shape: generator.standard_normal(shape, dtype=numpy.float64),
                   numpy.linalg.norm, lambda: None)


def torch_cpu():
    import torch

    return Library("torch " + torch.__version__ + " (CPU)", "float64",
                   lambda *shape: torch.randn(*shape, dtype=torch.float64),
                   torch.linalg.norm, lambda: None)


def torch_gpu():
    import torch

    if not torch.cuda.is_available():
        raise RuntimeError("torch " + torch.__version__ + " sees no CUDA device")
    device = torch.device("cuda")
    return Library("torch " + torch.__version__ + " on " + torch.cuda.get_device_name(device), "float32",
                   lambda *shape: torch.randn(*shape, dtype=torch.float32, device=device),
                   torch.linalg.norm, torch.cuda.synchronize)


def cupy_gpu():
    import cupy

    if cupy.cuda.runtime.getDeviceCount() == 0:
        raise RuntimeError("cupy " + cupy.__version__ + " sees no CUDA device")
    name = cupy.cuda.runtime.getDeviceProperties(0)["name"]
    name = name.decode() if isinstance(name, bytes) else name
    return Library("cupy " + cupy.__version__ + " on " + name, "float32",
                   lambda *shape: cupy.random.standard_normal(shape, dtype=cupy.float32),
                   cupy.linalg.norm, cupy.cuda.Device().synchronize)


LIBRARIES = {"cpu": [numpy_cpu, torch_cpu], "gpu": [torch_gpu, cupy_gpu]}
SIZES = {"cpu": CPU_SIZE, "gpu": GPU_SIZE}


def check(library, a, b, c, tolerance):
    """Freivalds' check: (AB)x must equal A(Bx) to rounding for a random x, in n^2 steps where the
    product took n^3. Returns the relative error and whether it is within tolerance (NaN is not)."""
    x = library.random(a.shape[1])
    expected = a @ (b @ x)
    error = float(library.norm(c @ x - expected)) / max(float(library.norm(expected)), sys.float_info.min)
    return error, error <= tolerance


def multiply(library, n):
    """Multiplies two random n x n matrices once to warm the library up, then again timed; returns
    (seconds, relative error, whether the product checks out)."""
    a = library.random(n, n)
    b = library.random(n, n)
    a @ b
    library.synchronize()
    start = time.perf_counter()
    c = a @ b
    library.synchronize()
    seconds = time.perf_counter() - start
    error, ok = check(library, a, b, c, TOLERANCE[library.dtype])
    return seconds, error, ok


def first_library(part):
    """The first library of the part's list that imports and finds its device, with why each before it did not."""
    missing = []
    for make in LIBRARIES[part]:
        try:
            return make(), missing
        except ImportError as e:
            missing.append(e.name + " is not installed" if e.name else str(e))
        except Exception as e:
            missing.append(str(e))
    return None, missing


def main(part):
    library, missing = first_library(part)
    if library is None:
        print(part + ": no library to multiply with: " + "; ".join(missing))
        return NO_LIBRARY
    n = SIZES[part]
    try:
        seconds, error, ok = multiply(library, n)
    except Exception as e:
        print("%s: FAILED: %s could not multiply %dx%d: %s" % (part, library.name, n, n, e))
        return 1
    tolerance = TOLERANCE[library.dtype]
    figures = "%s: %s multiplied %dx%d %s in %.3f s, %.1f GFLOP/s; " % (
        part, library.name, n, n, library.dtype, seconds, 2 * n ** 3 / seconds / 1e9)
    if not ok:
        print("%sFAILED: the product is wrong: A(Bx) and (AB)x differ by %.1e, over the tolerance %.0e"
              % (figures, error, tolerance))
        return 1
    print("%sproduct checked: A(Bx) = (AB)x within %.1e (tolerance %.0e)" % (figures, error, tolerance))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in LIBRARIES:
        print("usage: " + os.path.basename(sys.argv[0]) + " cpu|gpu", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
