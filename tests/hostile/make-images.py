#!/usr/bin/python3
"""Make the hostile images of tests/hostile/ (never downloaded).

  make-images.py tree DIR OUTSIDE SCALE   a guest root tree for mkfs.ext4 -d
  make-images.py corrupt IMG SEED COUNT START END
                                          flip COUNT bytes of IMG between
                                          offsets START and END (seeded)
  make-images.py ptables DIR              disks with hostile partition tables
  make-images.py qcow2 DIR HOSTFILE       qcow2 files with hostile headers

SCALE is "quick" (make check) or "soak" (make hardening: 100 000 entries,
4 000 levels, a 1 GiB dpkg status).  Everything
is derived from fixed seeds, so a failure can be replayed."""
import os, random, struct, sys, zlib

def w(path, data, mode=0o644):
    with open(path, 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)

def tree(root, outside, scale):
    soak = scale == 'soak'
    for d in ['etc', 'bin', 'usr/bin', 'var/lib/dpkg', 'home/u', 'tmp', 'names', 'links', 'deep', 'many']:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    w(f'{root}/bin/sh', b'\x7fELF' + b'\0' * 60, 0o755)
    w(f'{root}/etc/hostname', 'hostile\n')
    w(f'{root}/etc/debian_version', '12.4\n')
    # os-release of 10 MiB: the real keys, then megabytes of junk lines.
    junk = ''.join(f'X_{i}="{"y" * 100}"\n' for i in range(10 * 1024 * 1024 // 108))
    w(f'{root}/etc/os-release', 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Hostile \x1b]0;pwned\x07"\n' + junk)
    # fstab with 10 000 lines, many of them nonsense or pointing outside.
    lines = ['/dev/sda1 / ext4 defaults 0 1']
    for i in range(10000):
        lines.append(['/dev/sdz%d /mnt/%d ext4 defaults 0 0' % (i, i),
                      'UUID=%032x /../../../../etc ext4 x 0 0' % i,
                      '# comment %d' % i, 'garbage ' * (i % 7),
                      'LABEL=\x1b[2J /proc xfs bind 0 0'][i % 5])
    w(f'{root}/etc/fstab', '\n'.join(lines) + '\n')
    # dpkg status: many packages with long fields (1 GiB under soak).
    target = (1 << 30) if soak else (8 << 20)
    with open(f'{root}/var/lib/dpkg/status', 'w') as f:
        i = written = 0
        while written < target:
            rec = (f'Package: pkg{i}\nStatus: install ok installed\nVersion: 1.{i}\n'
                   f'Architecture: amd64\nDescription: {"d" * 900}\n\n')
            if i % 1000 == 999:
                rec = f'Package: {"p" * 70000}\nStatus: install ok installed\nVersion: 1\n\n'
            f.write(rec); written += len(rec); i += 1
    # Names with newlines, control characters, terminal escapes, invalid UTF-8.
    names = [b'new\nline', b'tab\there', b'esc\x1b]0;pwned\x07', b'clear\x1b[2J\x1b[H',
             b'bad\xff\xfeutf8', b'c1\xc2\x9bcsi', b'$(touch x)', b"quote'\"", b'-rf',
             b'back\\slash', b' lead space', b'x' * 255]
    for nm in names:
        w(os.path.join(root.encode(), b'names', nm), b'named file\n')
    # Symlink escapes of every kind.  None may lead a tool to the host.
    L = os.path.join(root, 'links')
    for name, target in [
            ('abs-shadow', '/etc/shadow'),
            ('abs-outside', outside + '/secret'),
            ('abs-outside-dir', outside),
            ('rel-up', '../../../../../../../../..' + outside + '/secret'),
            ('dotdot-chain', '../links/dotdot-chain2'), ('dotdot-chain2', '../../../..' + outside),
            ('proc', '/proc/self/root/etc/shadow'), ('dev', '/dev/sda'),
            ('appliance-daemon', '/usr/sbin/guestfsd'), ('root', '/'),
            ('loop-a', 'loop-b'), ('loop-b', 'loop-a'), ('self', 'self'),
            ('long', 'a/' * 200), ('dangling', '/nonexistent/x')]:
        os.symlink(target, os.path.join(L, name))
    os.symlink('/etc/shadow', f'{root}/etc/motd')   # virt-cat of a link to a host path
    # Deep nesting.
    levels = 4000 if soak else 300
    p = os.path.join(root, 'deep')
    fd = os.open(p, os.O_RDONLY)
    for i in range(levels):
        os.mkdir('d', dir_fd=fd)
        nfd = os.open('d', os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    with open(os.open('bottom', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), 'w') as f:
        f.write('bottom\n')
    os.close(fd)
    # A directory with many entries.
    entries = 100000 if soak else 5000
    for i in range(entries):
        open(os.path.join(root, 'many', 'e%06d' % i), 'w').close()
    # (soak: the 2^40-byte sparse file is made in the filesystem by
    # debugfs, since mke2fs -d would read all of its holes.)

def corrupt(img, seed, count, start, end):
    rng = random.Random(int(seed))
    size = os.path.getsize(img)
    end = min(int(end), size)
    with open(img, 'r+b') as f:
        for _ in range(int(count)):
            off = rng.randrange(int(start), end)
            f.seek(off)
            b = f.read(1)
            f.seek(off)
            f.write(bytes([(b[0] if b else 0) ^ (1 << rng.randrange(8))]))

def mbr(entries):
    """A 512-byte MBR with the given (type, start_lba, nsectors) entries."""
    b = bytearray(512)
    for i, (t, s, n) in enumerate(entries[:4]):
        struct.pack_into('<B3xB3xII', b, 446 + 16 * i, 0x80 if i == 0 else 0, t, s, n)
    b[510:512] = b'\x55\xaa'
    return bytes(b)

def gpt(nsect, parts, nentries=128, bad_crc=False):
    """Protective MBR + GPT header + entries (primary only)."""
    esz = 128
    ents = bytearray(nentries * esz)
    for i, (s, e) in enumerate(parts[:nentries]):
        struct.pack_into('<16s16sQQQ', ents, i * esz,
                         bytes.fromhex('af3dc60f838472478e793d69d8477de4'),  # Linux data
                         struct.pack('<QQ', i + 1, 0x1234), s, e, 0)
    ecrc = zlib.crc32(ents)
    hdr = bytearray(92)
    struct.pack_into('<8sIIIIQQQQ16sQIII', hdr, 0, b'EFI PART', 0x10000, 92, 0, 0,
                     1, nsect - 1, 34, nsect - 34, b'\x11' * 16, 2, nentries, esz, ecrc)
    crc = zlib.crc32(hdr)
    struct.pack_into('<I', hdr, 16, crc ^ (0xdeadbeef if bad_crc else 0))
    return mbr([(0xee, 1, nsect - 1)]) + bytes(hdr) + b'\0' * (512 - 92) + bytes(ents)

def ptables(d):
    size = 64 << 20
    nsect = size // 512
    disks = {
        'mbr-overlap': mbr([(0x83, 2048, 40000), (0x83, 4096, 40000), (0x83, 2048, 2048), (0x05, 1000, 100000)]),
        'mbr-out-of-range': mbr([(0x83, 2048, 0xffffffff), (0x83, 0xfffffff0, 100), (0x83, 0, 0), (0x83, 1, 1)]),
        'mbr-extended-loop': mbr([(0x05, 2048, 4096)]),
        'gpt-bad-crc': gpt(nsect, [(2048, 4095)], bad_crc=True),
        'gpt-256-entries': gpt(nsect, [(2048 + 8 * i, 2048 + 8 * i + 7) for i in range(256)], nentries=256),
        'gpt-overlap-out-of-range': gpt(nsect, [(2048, 1 << 40), (4096, 2048), (2048, 8191), (100, 200)]),
    }
    for name, head in disks.items():
        p = os.path.join(d, name + '.img')
        with open(p, 'wb') as f:
            f.write(head)
            f.truncate(size)
        if name == 'mbr-extended-loop':
            # The EBR at 2048 links to itself: an endless chain of logical partitions.
            with open(p, 'r+b') as f:
                f.seek(2048 * 512)
                f.write(mbr([(0x83, 1, 100), (0x05, 0, 4096)]))
        print(p)

def qcow2(d, hostfile):
    """qcow2 headers: huge L1 table, a backing file naming a host file, a
    backing chain that names itself.  Written by hand (version 3 header)."""
    def header(size, l1_size, backing=b'', l1_off=0x30000):
        h = struct.pack('>4sIQIIQIIQQIIQQQQII', b'QFI\xfb', 3, 0x70 if backing else 0,
                        len(backing), 16, size, 0, l1_size, l1_off, 0x10000, 1, 0, 0,
                        0, 0, 0, 4, 0x68)
        h = h.ljust(0x68, b'\0') + struct.pack('>II', 0, 0)   # end of header extensions
        return h.ljust(0x70, b'\0') + backing
    imgs = {
        'huge-l1': header(1 << 62, 0x7fffffff),
        'backing-shadow': header(1 << 30, 16, b'/etc/shadow'),
        'backing-host': header(1 << 30, 16, hostfile.encode()),
        'backing-self': header(1 << 30, 16, b'backing-self.qcow2'),
    }
    for name, h in imgs.items():
        p = os.path.join(d, name + '.qcow2')
        with open(p, 'wb') as f:
            f.write(h)
            f.truncate(0x40000)
        print(p)

if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    {'tree': tree, 'corrupt': corrupt, 'ptables': ptables, 'qcow2': qcow2}[cmd](*args)
