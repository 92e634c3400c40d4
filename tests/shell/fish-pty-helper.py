#!/usr/bin/env python3
"""Run a program under a pseudo-terminal, type some input, print what the
terminal showed.  Used by the guestfish tests for the prompt, completion
and progress bars.

  fish-pty-helper.py TIMEOUT INPUT_FILE PROGRAM [ARGS...]

INPUT_FILE holds the keystrokes; each line is sent after the previous one
has had time to be read (a short pause, or until the program prints
something new).  A line "@wait TEXT" sends nothing: the next line waits
until TEXT has appeared in the output (after the previous wait's match).
Exit status: the program's, or 124 on timeout."""
import os, pty, select, sys, time

timeout = float(sys.argv[1])
data = open(sys.argv[2], "rb").read()
argv = sys.argv[3:]

pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

out = bytearray()
chunks = [c + b"\n" for c in data.split(b"\n")[:-1]] if data.endswith(b"\n") else [data]
deadline = time.time() + timeout
last_send = 0.0

def read_some(wait):
    r, _, _ = select.select([fd], [], [], wait)
    if r:
        try:
            b = os.read(fd, 65536)
        except OSError:
            return None
        if not b:
            return None
        out.extend(b)
    return True

status = None
seen = 0          # output before this offset was matched by a @wait
while time.time() < deadline:
    if chunks and chunks[0].startswith(b"@wait "):
        want = chunks[0][6:].rstrip(b"\n")
        i = out.find(want, seen)
        if i >= 0:
            seen = i + len(want)
            chunks.pop(0)
            last_send = time.time() - 0.5
    elif chunks and time.time() - last_send > 0.7:
        os.write(fd, chunks.pop(0))
        last_send = time.time()
    if read_some(0.1) is None:
        break
    wpid, st = os.waitpid(pid, os.WNOHANG)
    if wpid:
        status = st
        while read_some(0.1):
            pass
        break
if status is None:
    # Timed out (or the terminal closed before the program ended).
    if time.time() >= deadline:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        sys.stdout.buffer.write(bytes(out))
        sys.exit(124)
    _, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(bytes(out))
sys.exit(os.waitstatus_to_exitcode(status))
