"""Just enough of ELF to size a firmware and find a symbol: no dependencies,
so the QEMU runner works with the build environment's bare python3."""

import struct
from dataclasses import dataclass

SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
SHT_NOBITS = 8


@dataclass
class Section:
    name: str
    type: int
    flags: int
    addr: int
    size: int


class ElfError(ValueError):
    pass


class Elf:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if d[:4] != b"\x7fELF":
            raise ElfError(f"{path}: not an ELF file")
        self.is64 = d[4] == 2
        if d[5] != 1:
            raise ElfError(f"{path}: big-endian ELF is not supported")
        if self.is64:
            (self.machine,) = struct.unpack_from("<H", d, 18)
            shoff, = struct.unpack_from("<Q", d, 40)
            shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 58)
        else:
            (self.machine,) = struct.unpack_from("<H", d, 18)
            shoff, = struct.unpack_from("<I", d, 32)
            shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 46)
        raw = []
        for i in range(shnum):
            off = shoff + i * shentsize
            if self.is64:
                name, typ, flags, addr, offset, size, link, info, align, entsize = struct.unpack_from(
                    "<IIQQQQIIQQ", d, off)
            else:
                name, typ, flags, addr, offset, size, link, info, align, entsize = struct.unpack_from(
                    "<IIIIIIIIII", d, off)
            raw.append((name, typ, flags, addr, offset, size, link, entsize))
        strtab_off = raw[shstrndx][4]
        self._raw = raw
        self.sections = [Section(self._str(strtab_off, r[0]), r[1], r[2], r[3], r[5]) for r in raw]

    def _str(self, base, off):
        end = self.data.index(b"\0", base + off)
        return self.data[base + off:end].decode()

    def symbols(self, with_size=False):
        """{name: value} (or {name: (value, size)}) from .symtab."""
        out = {}
        for r in self._raw:
            if r[1] != 2:  # SHT_SYMTAB
                continue
            str_off = self._raw[r[6]][4]
            entsize = r[7] or (24 if self.is64 else 16)
            for i in range(r[5] // entsize):
                off = r[4] + i * entsize
                if self.is64:
                    name, info, other, shndx, value, size = struct.unpack_from("<IBBHQQ", self.data, off)
                else:
                    name, value, size, info, other, shndx = struct.unpack_from("<IIIBBH", self.data, off)
                if name:
                    out[self._str(str_off, name)] = (value, size) if with_size else value
        return out

    def sizes(self):
        """Flash and static RAM of a firmware image, in bytes.

        flash: everything loaded from non-volatile memory (code, read-only
        data, and the initial values of .data). static_ram: writable
        allocated sections (.data, .bss, TLS), excluding the linker's
        reservations for stack and heap, which the harness measures itself.
        """
        flash = ram = 0
        for s in self.sections:
            if not s.flags & SHF_ALLOC or s.name in (".stack", ".heap", ".tbss_space"):
                continue
            if s.flags & SHF_WRITE:
                ram += s.size
                if s.type != SHT_NOBITS:
                    flash += s.size  # initial values live in flash
            else:
                flash += s.size
        return {"flash_bytes": flash, "static_ram_bytes": ram}

    def static_ram_without(self, symbol):
        """Static RAM less one object's (e.g. a firmware's arena array)."""
        return self.sizes()["static_ram_bytes"] - self.symbols(with_size=True).get(symbol, (0, 0))[1]
