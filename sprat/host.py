"""Runs a model blob on the build machine through the C runtime
(libsprat_host.so, loaded with ctypes): the same code the firmware runs."""

import ctypes

import numpy as np

from converter import ir

STATUS = ["OK", "ARGUMENT", "BAD_MAGIC", "VERSION", "TRUNCATED", "CHECKSUM", "MALFORMED", "UNSUPPORTED_OP",
          "BAD_OP", "ARENA_TOO_SMALL", "NOT_READY", "LAYOUT"]


class RuntimeError_(RuntimeError):
    def __init__(self, status, message, error_op, arena_needed):
        super().__init__(message)
        self.status, self.error_op, self.arena_needed = status, error_op, arena_needed


def _aligned(nbytes, align=16):
    """A ctypes-addressable byte buffer whose address is a multiple of align."""
    raw = np.zeros(nbytes + align, np.uint8)
    off = (-raw.ctypes.data) % align
    return raw[off:off + nbytes]


def _aligned_copy(blob):
    """The blob in a 16-byte aligned buffer, as the runtime requires."""
    b = _aligned(len(blob))
    b[:] = np.frombuffer(blob, np.uint8)
    return b


class Host:
    def __init__(self, so_path):
        self.lib = ctypes.CDLL(so_path)
        self.lib.sprat_host_status_str.restype = ctypes.c_char_p
        self.lib.sprat_host_run.restype = ctypes.c_int
        self.lib.sprat_host_init_only.restype = ctypes.c_int

    def status_str(self, s):
        return self.lib.sprat_host_status_str(s).decode()

    def init_only(self, blob, arena_size=None):
        """Init (and invoke when init succeeds) on possibly corrupt bytes."""
        b = _aligned_copy(blob)
        arena = _aligned(arena_size if arena_size is not None else 1 << 20)
        err, need = ctypes.c_int32(), ctypes.c_uint32()
        s = self.lib.sprat_host_init_only(ctypes.c_void_p(b.ctypes.data), ctypes.c_size_t(len(blob)),
                                          ctypes.c_void_p(arena.ctypes.data), ctypes.c_size_t(arena.size),
                                          ctypes.byref(err), ctypes.byref(need))
        return s, err.value, need.value

    def run(self, blob, inputs, outputs, arena_size):
        """inputs: list of arrays (written as bytes); outputs: list of (dtype, shape)."""
        b = _aligned_copy(blob)
        arena = _aligned(max(arena_size, 1))
        ins = [np.ascontiguousarray(x) for x in inputs]
        outs = [np.zeros(shape, dtype) for dtype, shape in outputs]
        in_ptrs = (ctypes.c_void_p * len(ins))(*[x.ctypes.data for x in ins])
        in_sizes = (ctypes.c_size_t * len(ins))(*[x.nbytes for x in ins])
        out_ptrs = (ctypes.c_void_p * len(outs))(*[x.ctypes.data for x in outs])
        out_sizes = (ctypes.c_size_t * len(outs))(*[x.nbytes for x in outs])
        err, need = ctypes.c_int32(), ctypes.c_uint32()
        s = self.lib.sprat_host_run(ctypes.c_void_p(b.ctypes.data), ctypes.c_size_t(len(blob)),
                                    ctypes.c_void_p(arena.ctypes.data), ctypes.c_size_t(arena.size), in_ptrs, in_sizes,
                                    len(ins), out_ptrs, out_sizes, len(outs), ctypes.byref(err), ctypes.byref(need))
        if s != 0:
            raise RuntimeError_(s, f"sprat runtime: {self.status_str(s)}" + (f" (op {err.value})" if err.value >= 0 else ""),
                                err.value, need.value)
        return outs

    def run_many(self, blob, xs, out_shape, out_dtype, arena_size, fresh=False):
        """xs[k] -> output k for every k, one init (or one per input: fresh)."""
        b = _aligned_copy(blob)
        arena = _aligned(max(arena_size, 1))
        xs = np.ascontiguousarray(xs)
        ys = np.zeros((len(xs),) + tuple(out_shape), out_dtype)
        s = self.lib.sprat_host_run_many(ctypes.c_void_p(b.ctypes.data), ctypes.c_size_t(len(blob)),
                                         ctypes.c_void_p(arena.ctypes.data), ctypes.c_size_t(arena.size),
                                         ctypes.c_void_p(xs.ctypes.data), ctypes.c_size_t(xs[0].nbytes),
                                         ctypes.c_void_p(ys.ctypes.data), ctypes.c_size_t(ys[0].nbytes),
                                         ctypes.c_int32(len(xs)), ctypes.c_int(1 if fresh else 0))
        if s != 0:
            raise RuntimeError_(s, f"sprat runtime: {self.status_str(s)}", -1, 0)
        return ys


    def run_steps(self, blob, steps, outputs, arena_size, reset_at=-1):
        """steps: per invoke, the list of input arrays; outputs: (dtype,
        shape) of each output. One init, one invoke per step (state kept
        between them; sprat_reset_state before step reset_at). Returns per
        step the list of output arrays (None for a step that ended
        SPRAT_WAITING: a streaming model's outputs are not updated then)."""
        b = _aligned_copy(blob)
        arena = _aligned(max(arena_size, 1))
        ins = np.frombuffer(b"".join(np.ascontiguousarray(x).tobytes() for step in steps for x in step), np.uint8)
        ins = np.ascontiguousarray(ins) if ins.size else np.zeros(1, np.uint8)
        in_step = sum(np.asarray(x).nbytes for x in steps[0]) if steps else 0
        sizes = [int(np.prod(shape, dtype=np.int64)) * np.dtype(dt).itemsize for dt, shape in outputs]
        out_step = sum(sizes)
        raw = np.zeros(max(out_step * len(steps), 1), np.uint8)
        statuses = np.zeros(max(len(steps), 1), np.int32)
        s = self.lib.sprat_host_run_steps(ctypes.c_void_p(b.ctypes.data), ctypes.c_size_t(len(blob)),
                                          ctypes.c_void_p(arena.ctypes.data), ctypes.c_size_t(arena.size),
                                          ctypes.c_void_p(ins.ctypes.data), ctypes.c_size_t(in_step),
                                          ctypes.c_void_p(raw.ctypes.data), ctypes.c_size_t(out_step),
                                          ctypes.c_int32(len(steps)), ctypes.c_int32(reset_at),
                                          ctypes.c_void_p(statuses.ctypes.data))
        if s != 0:
            raise RuntimeError_(s, f"sprat runtime: {self.status_str(s)}", -1, 0)
        result = []
        for k in range(len(steps)):
            if statuses[k] == WAITING:
                result.append(None)  # a streaming model waiting for more frames: no outputs this step
                continue
            at, outs = k * out_step, []
            for (dt, shape), n in zip(outputs, sizes):
                outs.append(raw[at:at + n].view(dt).reshape(shape).copy())
                at += n
            result.append(outs)
        return result


WAITING = 13  # SPRAT_WAITING (sprat.h)


def run_result(host, result, inputs):
    """Runs a converter Result on the host; returns the output arrays."""
    outs = [(ir.DTYPES[t.type], t.shape) for t in result.outputs]
    return host.run(result.blob, inputs, outs, result.arena_for(ctypes.sizeof(ctypes.c_void_p)))


def run_result_steps(host, result, steps, reset_at=-1):
    """run_result over a stream of invokes: per step, the output arrays."""
    outs = [(ir.DTYPES[t.type], t.shape) for t in result.outputs]
    return host.run_steps(result.blob, steps, outs, result.arena_for(ctypes.sizeof(ctypes.c_void_p)), reset_at)
