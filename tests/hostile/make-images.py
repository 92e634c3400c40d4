#!/usr/bin/python3
"""Make the hostile images of tests/hostile/ (never downloaded).

  make-images.py tree DIR OUTSIDE SCALE   a guest root tree for mkfs.ext4 -d
  make-images.py corrupt IMG SEED COUNT START END
                                          flip COUNT bytes of IMG between
                                          offsets START and END (seeded)
  make-images.py ptables DIR              disks with hostile partition tables
  make-images.py qcow2 DIR HOSTFILE       qcow2 files with hostile headers
  make-images.py hives DIR BASE           registry hives made hostile from the
                                          valid hive BASE: subkey loops, huge
                                          counts and lengths, seeded corruption
  make-images.py rpmdbs DIR               rpm sqlite databases: not sqlite,
                                          huge rows, hostile header blobs, cut
  make-images.py luks DIR                 LUKS headers: 2^32-1 iterations
                                          (LUKS1 and LUKS2 pbkdf2), absurd
                                          Argon2 costs, huge key sizes, a
                                          corrupt LUKS2 JSON area

SCALE is "quick" (make check) or "soak" (make hardening: 4 000 levels, a
1 GiB dpkg status; the 100 000 entries are added in the appliance).  Everything
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
    # A directory with many entries.  (soak: its 100 000 entries are made
    # by the appliance's fill_dir after mkfs: mke2fs -d adds names to a
    # directory in time quadratic in their number, ~2 hours for 100 000.)
    entries = 0 if soak else 5000
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

# ---- registry hives (regf: a 4 KiB base block, then hbins of cells;
# a key (nk) has its subkey count at +0x14 and its subkey list at +0x1c,
# its value count at +0x24 and value list at +0x28, offsets from 0x1000).

def _nk(d, off):
    o = 0x1000 + off + 4
    assert d[o:o + 2] == b'nk', 'not a key at %#x' % off
    return o

def _subkeys(d, off):
    o = _nk(d, off)
    n, lst = struct.unpack_from('<I', d, o + 0x14)[0], struct.unpack_from('<I', d, o + 0x1c)[0]
    if n == 0 or lst == 0xffffffff:
        return []
    lo = 0x1000 + lst + 4
    kind, cnt = d[lo:lo + 2], struct.unpack_from('<H', d, lo + 2)[0]
    step = 4 if kind in (b'li', b'ri') else 8
    return [(lo + 4 + i * step, struct.unpack_from('<I', d, lo + 4 + i * step)[0]) for i in range(cnt)]

def _first_key_with_values(d, off, depth=0):
    o = _nk(d, off)
    if struct.unpack_from('<I', d, o + 0x24)[0] > 0:
        return off
    for _, child in _subkeys(d, off):
        r = _first_key_with_values(d, child, depth + 1) if depth < 8 else None
        if r is not None:
            return r
    return None

def hives(d, base):
    src = open(base, 'rb').read()
    root = struct.unpack_from('<I', src, 0x24)[0]
    out = {}
    # A loop: the root's first subkey is the root; its grandchild's list
    # points back at its own parent.
    b = bytearray(src)
    (slot, child), = _subkeys(b, root)[:1]
    struct.pack_into('<I', b, slot, root)
    out['hive-loop-root'] = b
    b = bytearray(src)
    for slot, grand in _subkeys(b, child)[:1]:
        struct.pack_into('<I', b, slot, child)          # child -> child
    out['hive-loop-self'] = b
    # Huge counts: 2^32-1 subkeys, 2^31-1 values, a value 2^31-16 long.
    b = bytearray(src)
    o = _nk(b, root)
    struct.pack_into('<I', b, o + 0x14, 0xffffffff)
    k = _first_key_with_values(b, child)
    if k is not None:
        ko = _nk(b, k)
        nv, vl = struct.unpack_from('<II', b, ko + 0x24)
        struct.pack_into('<I', b, ko + 0x24, 0x7fffffff)
        vk = 0x1000 + struct.unpack_from('<I', b, 0x1000 + vl + 4)[0] + 4
        if b[vk:vk + 2] == b'vk':
            struct.pack_into('<I', b, vk + 4, 0x7ffffff0)  # data length
    out['hive-huge-counts'] = b
    # Seeded corruption of the cells (the base block is kept).
    for seed in (1, 2):
        b = bytearray(src)
        rng = random.Random(seed)
        for _ in range(200 * seed):
            b[rng.randrange(0x1000, len(b))] ^= 1 << rng.randrange(8)
        out['hive-random-%d' % seed] = b
    for name, data in out.items():
        p = os.path.join(d, name)
        open(p, 'wb').write(bytes(data))
        print(p)

# ---- rpm sqlite databases (table Packages (hnum, blob); a blob is an rpm
# header: index count, data size, then 16-byte index entries) ----

def rpmdbs(d):
    import sqlite3
    rng = random.Random(7)
    def db(name, rows):
        p = os.path.join(d, name)
        if os.path.exists(p):
            os.unlink(p)
        c = sqlite3.connect(p)
        c.execute('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)')
        c.executemany('INSERT INTO Packages (blob) VALUES (?)', [(r,) for r in rows])
        c.commit()
        c.close()
        print(p)
        return p
    # Header blobs that lie: huge index count / data size, entries whose
    # offsets and counts point far outside, a name tag of type string
    # with no terminator, then 64 MiB of random bytes as one row.
    def entry(tag, typ, off, cnt):
        return struct.pack('>iiii', tag, typ, off, cnt)
    lies = [struct.pack('>II', 0x7fffffff, 0x7fffffff),
            struct.pack('>II', 3, 16) + entry(1000, 6, 0x7ffffff0, 1) +
            entry(1001, 6, 0, 0x7fffffff) + entry(1002, 9, -16, 1000) + b'x' * 16,
            struct.pack('>II', 1, 8) + entry(1000, 6, 0, 1) + b'noterm!!',
            bytes(rng.randrange(256) for _ in range(4096))]
    db('rpmdb-lies.sqlite', lies * 200)
    db('rpmdb-huge-row.sqlite', [struct.pack('>II', 1, 64 << 20) + entry(1000, 6, 0, 1) +
                                 os.urandom(64 << 20)])
    good = db('rpmdb-cut.sqlite', lies * 2000)
    size = os.path.getsize(good)
    with open(good, 'r+b') as f:
        f.truncate(size // 2)
    p = os.path.join(d, 'rpmdb-not-sqlite.sqlite')
    open(p, 'wb').write(b'SQLite format 3\0' + bytes(rng.randrange(256) for _ in range(65536)))
    print(p)

# ---- LUKS headers (LUKS1: key bytes at 108, master key digest iterations
# at 164, 8 key slots of 48 bytes from 208: active, iterations, salt,
# material offset, stripes; LUKS2: a binary header and a JSON area with a
# SHA-256 over both) ----

def _luks2_fix(b, hdr_off=0):
    import hashlib
    size = struct.unpack_from('>Q', b, hdr_off + 8)[0]
    b[hdr_off + 0x1c0:hdr_off + 0x1c0 + 64] = b'\0' * 64
    h = hashlib.sha256(bytes(b[hdr_off:hdr_off + size])).digest()
    b[hdr_off + 0x1c0:hdr_off + 0x1c0 + 32] = h

def _luks2_json(b, edit):
    size = struct.unpack_from('>Q', b, 8)[0]
    area = bytes(b[4096:size])
    text = area.rstrip(b'\0').decode()
    new = edit(text).encode()
    assert len(new) <= len(area)
    b[4096:size] = new + b'\0' * (len(area) - len(new))
    _luks2_fix(b)
    b[size:size + 6] = b'\0' * 6            # the secondary header: gone

def luks(d):
    import subprocess, re
    def fmt(name, *opts):
        p = os.path.join(d, name)
        with open(p, 'wb') as f:
            f.truncate(32 << 20)
        subprocess.run(['cryptsetup', 'luksFormat', '-q', '--key-file=-', *opts, p],
                       input=b'hatchkey', check=True, capture_output=True)
        return p, bytearray(open(p, 'rb').read(2 << 20))
    def save(p, b):
        with open(p, 'r+b') as f:
            f.write(bytes(b))
        print(p)
    p, b = fmt('luks1-iterations.img', '--type', 'luks1', '--pbkdf-force-iterations', '1000')
    struct.pack_into('>I', b, 164, 0xffffffff)
    struct.pack_into('>I', b, 212, 0xffffffff)
    save(p, b)
    p, b = fmt('luks1-key-bytes.img', '--type', 'luks1', '--pbkdf-force-iterations', '1000')
    struct.pack_into('>I', b, 108, 0xffffffff)
    struct.pack_into('>I', b, 208 + 44, 0xffffffff)   # stripes
    save(p, b)
    p, b = fmt('luks2-pbkdf2.img', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000')
    _luks2_json(b, lambda t: re.sub(r'"iterations":\d+', '"iterations":4294967295', t))
    save(p, b)
    p, b = fmt('luks2-argon2.img', '--type', 'luks2', '--pbkdf', 'argon2id', '--pbkdf-memory', '32',
               '--pbkdf-force-iterations', '4')
    _luks2_json(b, lambda t: re.sub(r'"memory":\d+', '"memory":4294967295',
                                    re.sub(r'"time":\d+', '"time":4294967295', t)))
    save(p, b)
    p, b = fmt('luks2-json-corrupt.img', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000')
    rng = random.Random(5)
    for _ in range(64):
        b[4096 + rng.randrange(2048)] ^= 1 << rng.randrange(8)
    _luks2_fix(b)
    size = struct.unpack_from('>Q', b, 8)[0]
    b[size:size + 6] = b'\0' * 6            # no secondary header to fall back on
    save(p, b)

if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    {'tree': tree, 'corrupt': corrupt, 'ptables': ptables, 'qcow2': qcow2,
     'hives': hives, 'rpmdbs': rpmdbs, 'luks': luks}[cmd](*args)
