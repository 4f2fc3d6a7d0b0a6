"""A submitted ``.npz`` file read as plain arrays, accepting only what ``np.savez`` and ``np.savez_compressed``
write.

The file is hostile input. Before ``zipfile`` parses anything, its end record must be
the one NumPy's writers leave: at the very end, no comment, one disk, a few members at
most and a central directory of their size. Each member must be
stored or deflated (never bzip2, lzma or encrypted), named ``<name>.npy`` once for each
expected name and for no other. Each is read through a streaming cap, the bytes a
little-endian float32 array of its shape takes plus room for the ``.npy`` header, so
that no member can inflate past it whatever its zip header says; its header must give
that dtype, C order and that shape, and the data must fill it exactly (the CRC is
checked). So the grader's memory for any file stays within about the expected arrays'
size, and every malformation is a ``NpzError`` whose message says what is wrong.
"""

import io
import struct
import zipfile
import zlib

import numpy as np

NPY_HEADER_BYTES = 4096
"""Room for a member's .npy header beside its data."""
CHUNK_BYTES = 1 << 16
"""A member is decompressed this much at a time."""
END_RECORD = struct.Struct("<4sHHHHIIH")
END_SIGNATURE = b"PK\x05\x06"
CENTRAL_ENTRY_BYTES = 46 + 64 + 64
"""The most a central directory entry of NumPy's (fixed part, a short name, a zip64 extra field) takes."""
EXTRA_ENTRIES = 16
"""Members beyond the expected ones that the directory may list, to be named in the message that refuses them."""
STORED_OR_DEFLATED = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
FLOAT32 = np.dtype("<f4")


class NpzError(Exception):
    """A file that is not the expected .npz; the message says why, in the student's terms."""


def read(source, expected, file_name):
    """The arrays of the .npz in ``source`` (a path or bytes), in the order of ``expected``, a ``{name: shape}``
    of float32 arrays; NpzError for anything else."""
    data = source if isinstance(source, bytes) else None
    try:
        with io.BytesIO(data) if data is not None else open(source, "rb") as handle:
            _check_end_record(handle, len(expected), file_name)
            with zipfile.ZipFile(handle) as archive:
                members = _members(archive, expected, file_name)
                return [_array(archive, members[name], name, shape, file_name) for name, shape in expected.items()]
    except NpzError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        struct.error,
        RuntimeError,
        NotImplementedError,
        UnicodeDecodeError,
        KeyError,
        OverflowError,
    ) as error:
        raise NpzError(f"{file_name} is damaged ({type(error).__name__}): write it again with np.savez") from None


def _check_end_record(handle, count, file_name):
    size = handle.seek(0, io.SEEK_END)
    if size < END_RECORD.size:
        raise NpzError(f"{file_name} is not a .npz file: write it with np.savez")
    handle.seek(size - END_RECORD.size)
    (signature, disk, directory_disk, disk_entries, entries, directory_size, directory_offset, comment) = (
        END_RECORD.unpack(handle.read(END_RECORD.size))
    )
    if signature != END_SIGNATURE:
        raise NpzError(f"{file_name} is not a .npz file (or ends with something else): write it with np.savez")
    if (disk, directory_disk, comment) != (0, 0, 0) or disk_entries != entries:
        raise NpzError(f"{file_name} is a zip file that np.savez does not write (several disks or a comment)")
    if entries > count + EXTRA_ENTRIES:
        raise NpzError(f"{file_name} holds {entries} arrays; it must hold exactly {count}")
    if (
        directory_size > (count + EXTRA_ENTRIES) * CENTRAL_ENTRY_BYTES
        or directory_offset + directory_size != size - END_RECORD.size
    ):
        raise NpzError(f"{file_name} has a zip directory that np.savez does not write")
    handle.seek(0)


def _members(archive, expected, file_name):
    """{array name: ZipInfo}, checked: each expected name once, stored or deflated, not encrypted."""
    members = {}
    for info in archive.infolist():
        name = info.filename.removesuffix(".npy")
        if not info.filename.endswith(".npy") or name not in expected:
            raise NpzError(
                f"{file_name} must hold exactly the arrays {', '.join(expected)}; it holds "
                f"{info.filename[:80]!r}, which is none of them"
            )
        if name in members:
            raise NpzError(f"{file_name} holds {name} twice")
        if info.compress_type not in STORED_OR_DEFLATED or info.flag_bits & 0x1:
            raise NpzError(
                f"{name} in {file_name} is compressed or encrypted in a way np.savez and np.savez_compressed never use"
            )
        members[name] = info
    missing = [name for name in expected if name not in members]
    if missing:
        raise NpzError(f"{file_name} must hold exactly the arrays {', '.join(expected)}; it lacks {', '.join(missing)}")
    return members


def _array(archive, info, name, shape, file_name):
    """The member's array, read a chunk at a time into an array of the expected size, never past it."""
    data_bytes = FLOAT32.itemsize * int(np.prod(shape))
    with archive.open(info) as member:
        array_shape, fortran_order, dtype = _header(member, name, file_name)
        if dtype != FLOAT32:
            raise NpzError(f"{name} has dtype {dtype}, expected float32")
        if tuple(array_shape) != tuple(shape):
            raise NpzError(f"{name} has shape {tuple(array_shape)}, expected {tuple(shape)}")
        if fortran_order:
            raise NpzError(f"{name} is stored in Fortran order; np.savez writes C order")
        array = np.empty(shape, FLOAT32)
        filled, view = 0, memoryview(array).cast("B")
        while filled < data_bytes:
            chunk = member.read(min(CHUNK_BYTES, data_bytes - filled))
            if not chunk:
                raise NpzError(f"{name} in {file_name} holds fewer bytes of data than its header says")
            view[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
        if member.read(1):  # at the end, zipfile checks the member's CRC
            raise NpzError(f"{name} in {file_name} holds more data than a float32 array of shape {tuple(shape)}")
    return array


def _header(member, name, file_name):
    """(shape, fortran order, dtype) from a member's .npy header, read within NPY_HEADER_BYTES (NumPy's own
    reader would read whatever length the header claims before it checks it)."""
    magic = _exactly(member, 8, name, file_name)
    if magic[:6] != b"\x93NUMPY" or magic[6:] not in (b"\x01\x00", b"\x02\x00"):
        raise NpzError(f"{name} in {file_name} is not a .npy array as np.savez writes them")
    length_field = _exactly(member, 2 if magic[6] == 1 else 4, name, file_name)
    length = int.from_bytes(length_field, "little")
    if length > NPY_HEADER_BYTES:
        raise NpzError(f"{name} in {file_name} has a .npy header of {length} bytes; np.savez writes far shorter ones")
    header = io.BytesIO(magic + length_field + _exactly(member, length, name, file_name))
    read_header = np.lib.format.read_array_header_1_0 if magic[6] == 1 else np.lib.format.read_array_header_2_0
    np.lib.format.read_magic(header)
    return read_header(header, max_header_size=NPY_HEADER_BYTES)


def _exactly(member, count, name, file_name):
    data = member.read(count)
    if len(data) != count:
        raise NpzError(f"{name} in {file_name} ends inside its .npy header")
    return data
