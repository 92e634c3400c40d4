#!/usr/bin/env python3
"""Generator entry point.

    generator/main.py API_DIR OUTPUT KIND [PREAMBLE]

writes one generated file.  KIND is one of: header, structs-h, protocol-h,
protocol-c, lib-c, lib-impl-h, daemon-h, daemon-c, fish-c, tests-c, man,
api-hash, python-c, python-py (PREAMBLE: include/guestfs.h.in)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from generator import load, gen_header, gen_codec, gen_lib, gen_daemon, gen_fish, gen_tests, gen_man, gen_python  # noqa: E402


def produce(table, kind, preamble_path=None):
    if kind == "header":
        with open(preamble_path) as f:
            return gen_header.generate(table, f.read())
    if kind == "python-py":
        with open(preamble_path) as f:
            return gen_python.generate_py(table, f.read())
    if kind == "man":
        with open(preamble_path) as f:
            return f.read() + gen_man.generate(table)
    return {
        "structs-h": gen_codec.generate_structs_h,
        "protocol-h": gen_codec.generate_h,
        "protocol-c": gen_codec.generate_c,
        "lib-c": gen_lib.generate,
        "lib-impl-h": gen_lib.generate_impl_h,
        "daemon-h": gen_daemon.generate_h,
        "daemon-c": gen_daemon.generate_c,
        "fish-c": gen_fish.generate,
        "tests-c": gen_tests.generate,
        "python-c": gen_python.generate_c,
        "api-hash": lambda t: t.api_hash() + "\n",
    }[kind](table)


def write_if_changed(path, text):
    """Leave the file alone when unchanged, so ninja does not rebuild."""
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    table = load.load(argv[1])
    text = produce(table, argv[3], argv[4] if len(argv) > 4 else None)
    write_if_changed(argv[2], text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
