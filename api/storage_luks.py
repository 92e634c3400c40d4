"""Daemon actions: LUKS encrypted devices (daemon/storage/luks.c)."""
from generator.types import *

ACTIONS = [
    # ------------------------------------------------------------ LUKS
    Action("luks_format", RErr(), [Device("device"), Key("key"), Int("keyslot")],
           proc=250, group="luks",
           shortdesc="format a block device as a LUKS encrypted device",
           longdesc="""Erase device and make it a LUKS encrypted device whose
first key (passphrase) key is stored in key slot keyslot (LUKS2: 0 to 31).
Open it with cryptsetup_open.""",
           tests=[Test("partition", ["luks_format /dev/sda1 key 0",
                                     "vfs_type /dev/sda1"],
                       ExpectString("crypto_LUKS")),
                  Test("partition", ["luks_format /dev/sda1 key -1"],
                       ExpectFail())]),
    Action("luks_format_cipher", RErr(),
           [Device("device"), Key("key"), Int("keyslot"), String("cipher")],
           proc=251, group="luks",
           shortdesc="format a block device as a LUKS encrypted device",
           longdesc="""Like luks_format, choosing the cipher, for example
"aes-cbc-essiv:sha256" or "aes-xts-plain64".""",
           tests=[Test("partition", ["luks_format_cipher /dev/sda1 key 1 aes-cbc-essiv:sha256",
                                     "cryptsetup_open /dev/sda1 key lukstest",
                                     "mkfs ext2 /dev/mapper/lukstest",
                                     "cryptsetup_close /dev/mapper/lukstest"],
                       ExpectRun()),
                  Test("partition", ["luks_format_cipher /dev/sda1 key 0 nosuchcipher-xyz"],
                       ExpectFail())]),
    Action("luks_add_key", RErr(),
           [Device("device"), Key("key"), Key("newkey"), Int("keyslot")],
           proc=252, group="luks",
           shortdesc="add a key on a LUKS encrypted device",
           longdesc="""Store the new key newkey in key slot keyslot of the
LUKS device, unlocking it with key (any key it already has).  The slot must
be empty: clear it first with luks_kill_slot.""",
           tests=[Test("partition", ["luks_format /dev/sda1 key 0",
                                     "luks_add_key /dev/sda1 key newkey 1",
                                     "cryptsetup_open /dev/sda1 newkey lukstest",
                                     "cryptsetup_close /dev/mapper/lukstest"],
                       ExpectRun()),
                  Test("partition", ["luks_format /dev/sda1 key 0",
                                     "luks_add_key /dev/sda1 key newkey 0"],
                       ExpectFail()),
                  ]),
    Action("luks_kill_slot", RErr(), [Device("device"), Key("key"), Int("keyslot")],
           proc=253, group="luks",
           shortdesc="remove a key from a LUKS encrypted device",
           longdesc="""Erase the key in key slot keyslot of the LUKS device;
key must be one of its other keys.""",
           tests=[Test("partition", ["luks_format /dev/sda1 key 0",
                                     "luks_add_key /dev/sda1 key newkey 1",
                                     "luks_kill_slot /dev/sda1 newkey 0",
                                     "cryptsetup_open /dev/sda1 key lukstest"],
                       ExpectFail()),
                  Test("partition", ["luks_format /dev/sda1 key 0",
                                     "luks_add_key /dev/sda1 key newkey 1",
                                     "luks_kill_slot /dev/sda1 key 0"],
                       ExpectFail())]),
    Action("luks_uuid", RString(), [Device("device")], proc=254, group="luks",
           shortdesc="get the UUID of a LUKS device",
           longdesc="""Return the UUID in the LUKS header of device.""",
           tests=[Test("partition", ["luks_format /dev/sda1 key 0",
                                     "luks_uuid /dev/sda1"],
                       ExpectC("strlen (r) == 36 && r[8] == '-'")),
                  Test("partition", ["wipefs /dev/sda1", "luks_uuid /dev/sda1"],
                       ExpectFail())]),
    Action("cryptsetup_open", RErr(),
           [Device("device"), Key("key"), String("mapname")],
           [OBool("readonly"), OString("crypttype")], proc=255, group="luks",
           shortdesc="open an encrypted block device",
           longdesc="""Unlock the encrypted block device device (LUKS,
BitLocker, ...) with key and create the device /dev/mapper/mapname, through
which reads are decrypted and writes encrypted.  mapname may not be
"control" (reserved by device-mapper).

crypttype: "luks" or "bitlk" to name the format instead of detecting it.
readonly: if true, the mapping is read-only.

If the device holds LVM volume groups, lvm_scan with activate true makes
them visible.  list_dm_devices lists the open mappings.""",
           tests=[Test("partition", ["luks_format /dev/sda1 key 0",
                                     "cryptsetup_open /dev/sda1 key lukstest",
                                     "mkfs ext4 /dev/mapper/lukstest",
                                     "cryptsetup_close /dev/mapper/lukstest",
                                     "cryptsetup_open /dev/sda1 key lukstest crypttype:luks readonly:true",
                                     "list_dm_devices",
                                     "vfs_type /dev/mapper/lukstest"],
                       ExpectString("ext4")),
                  Test("partition", ["luks_format /dev/sda1 key 0",
                                     "cryptsetup_open /dev/sda1 wrong lukstest"],
                       ExpectFail()),
                  Test("partition", ["cryptsetup_open /dev/sda1 key control"],
                       ExpectFail()),
                  Test("partition", ["cryptsetup_open /dev/sda1 key ../x"],
                       ExpectFail()),
                  Test("partition", ["cryptsetup_open /dev/sda1 key x crypttype:nosuch"],
                       ExpectFail()),
                  # LVM inside LUKS.
                  Test("partition", ["luks_format /dev/sda1 key 0",
                                     "cryptsetup_open /dev/sda1 key lukstest",
                                     "pvcreate /dev/mapper/lukstest",
                                     "vgcreate VGL /dev/mapper/lukstest",
                                     "lvcreate LV VGL 8",
                                     "vg_activate_all false",
                                     "cryptsetup_close /dev/mapper/lukstest",
                                     "cryptsetup_open /dev/sda1 key lukstest",
                                     "lvm_scan true",
                                     "lvs"],
                       ExpectList(["/dev/VGL/LV"]))]),
    Action("cryptsetup_close", RErr(), [Device("device")], proc=256,
           group="luks",
           shortdesc="close an encrypted device",
           longdesc="""Remove the mapping device (/dev/mapper/MAPNAME, not the
encrypted device under it) made by cryptsetup_open.""",
           tests=[Test("partition", ["cryptsetup_close /dev/sda1"],
                       ExpectFail())]),
    Action("clevis_luks_unlock", RErr(), [Device("device"), String("mapname")],
           proc=936, group="clevisluks",
           shortdesc="open an encrypted LUKS block device with Clevis",
           longdesc="""Unlock the LUKS device device without a passphrase, with
the Clevis binding stored in its header (clevis luks bind), and create
/dev/mapper/mapname as cryptsetup_open does.  It runs "clevis luks unlock"
in the appliance, so a binding whose pin needs something the appliance
does not have fails: a tang server needs network (set_network), a TPM2
pin a TPM (the appliance has none).  A device without a Clevis binding is
an error.  The feature group clevisluks is available when the appliance
has Clevis.""",
           tests=[Test("partition", ["luks_format /dev/sda1 key 0",
                                     "clevis_luks_unlock /dev/sda1 clevistest"], ExpectFail(),
                       name="no clevis binding"),
                  Test("partition", ["mkfs ext2 /dev/sda1",
                                     "clevis_luks_unlock /dev/sda1 clevistest"], ExpectFail(),
                       name="not LUKS"),
                  Test("partition", ["luks_format /dev/sda1 key 0",
                                     "clevis_luks_unlock /dev/sda1 ../x"], ExpectFail())]),
    Action("luks_open", RErr(), [Device("device"), Key("key"), String("mapname")],
           proc=257, group="luks", deprecated_by="cryptsetup_open",
           shortdesc="open a LUKS-encrypted block device",
           longdesc="""Deprecated: use cryptsetup_open.  Unlock the LUKS
device with key and create /dev/mapper/mapname.""",
           tests=[Test("partition", ["luks_format /dev/sda1 key 0",
                                     "luks_open /dev/sda1 key lukstest",
                                     "mkfs ext2 /dev/mapper/lukstest",
                                     "luks_close /dev/mapper/lukstest"],
                       ExpectRun())]),
    Action("luks_open_ro", RErr(), [Device("device"), Key("key"), String("mapname")],
           proc=258, group="luks", deprecated_by="cryptsetup_open",
           shortdesc="open a LUKS-encrypted block device read-only",
           longdesc="""Deprecated: use cryptsetup_open.  Like luks_open, but
the mapping is read-only.""",
           tests=[Test("partition", ["luks_format /dev/sda1 key 0",
                                     "luks_open_ro /dev/sda1 key lukstest",
                                     "blockdev_getro /dev/mapper/lukstest"],
                       ExpectTrue())]),
    Action("luks_close", RErr(), [Device("device")], proc=259, group="luks",
           deprecated_by="cryptsetup_close",
           shortdesc="close a LUKS device",
           longdesc="""Deprecated: use cryptsetup_close.  Remove the mapping
/dev/mapper/MAPNAME made by luks_open or luks_open_ro.""",
           tests=[Test("partition", ["luks_close /dev/sda1"], ExpectFail())]),
]
