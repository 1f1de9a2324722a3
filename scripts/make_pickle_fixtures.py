#!/usr/bin/python3
"""Writes the pickle-inspection fixtures into tests/data/runtime/pickle/ with Debian's torch:
clean.pt (a zip-wrapped state dict), legacy.bin (torch's legacy non-zip format) and
planted_os_system.pt (a zip-wrapped file whose data.pkl imports os.system). Pickling an object
whose __reduce__ names os.system writes the import; nothing is ever executed or loaded here.
Run: /usr/bin/python3 scripts/make_pickle_fixtures.py"""
import collections
import os
import pathlib

import torch

out = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "runtime" / "pickle"
out.mkdir(parents=True, exist_ok=True)
torch.manual_seed(0)
state = collections.OrderedDict(weight=torch.randn(2, 3), bias=torch.zeros(2, dtype=torch.float16))
torch.save(state, out / "clean.pt")
torch.save(state, out / "legacy.bin", _use_new_zipfile_serialization=False)


class Planted:
    def __reduce__(self):
        return (os.system, ("echo planted",))


torch.save({"weight": torch.zeros(1), "payload": Planted()}, out / "planted_os_system.pt")
print("wrote", sorted(p.name for p in out.iterdir()))
