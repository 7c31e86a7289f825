"""The safetensors format by hand (Debian has no Python package for it).

A file is an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
shape and byte range, then the raw little-endian arrays.
"""
import json
import os
import struct
from typing import Dict, Mapping

import torch

_DTYPES: Dict[str, torch.dtype] = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


class SafetensorsError(ValueError):
    """A file that is not safetensors, or a tensor whose bytes do not fit its header."""


def save(tensors: Mapping[str, torch.Tensor], path: str, metadata: Mapping[str, str] = {}) -> None:
    """Writes tensors in their mapping order, atomically (a staging file renamed into place)."""
    header: Dict[str, object] = {"__metadata__": dict(metadata)}
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        if tensor.dtype not in _NAMES:
            raise SafetensorsError(f"{name}: dtype {tensor.dtype} has no safetensors name")
        data = tensor.detach().cpu().contiguous().reshape(-1)
        raw = data.view(torch.uint8).numpy() if data.numel() > 0 else b""
        header[name] = {"dtype": _NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    staging = path + ".writing"
    with open(staging, "wb") as out:
        out.write(struct.pack("<Q", len(encoded)))
        out.write(encoded)
        for raw in blobs:
            out.write(memoryview(raw) if len(raw) else b"")
    os.replace(staging, path)


def load(path: str) -> Dict[str, torch.Tensor]:
    """Reads every tensor of a safetensors file, in file order."""
    data = bytearray(os.path.getsize(path))
    with open(path, "rb") as source:
        source.readinto(data)
    if len(data) < 8:
        raise SafetensorsError(f"{path}: not a safetensors file ({len(data)} bytes)")
    (length,) = struct.unpack("<Q", data[:8])
    if length <= 1 or 8 + length > len(data):
        raise SafetensorsError(f"{path}: not a safetensors file (header length {length} in {len(data)} bytes)")
    try:
        header = json.loads(data[8:8 + length].decode("utf-8"))
    except ValueError as error:
        raise SafetensorsError(f"{path}: its header is not JSON ({error})") from error
    start = 8 + length
    result: Dict[str, torch.Tensor] = {}
    entries = sorted(((k, v) for k, v in header.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"][0])
    for name, entry in entries:
        dtype = _DTYPES.get(entry["dtype"])
        if dtype is None:
            raise SafetensorsError(f"{path}: tensor {name} has unknown dtype {entry['dtype']}")
        begin, end = entry["data_offsets"]
        if end < begin or start + end > len(data):
            raise SafetensorsError(f"{path}: tensor {name} has byte range {begin}..{end} outside the file")
        if end == begin:
            tensor = torch.empty(0, dtype=dtype)
        elif (start + begin) % torch.empty(0, dtype=dtype).element_size() == 0:
            # Shares the one buffer the file was read into; no copy.
            tensor = torch.frombuffer(data, dtype=dtype, offset=start + begin, count=(end - begin) // torch.empty(0, dtype=dtype).element_size())
        else:
            tensor = torch.frombuffer(bytearray(data[start + begin:start + end]), dtype=dtype)
        count = 1
        for size in entry["shape"]:
            count *= size
        if tensor.numel() != count:
            raise SafetensorsError(f"{path}: tensor {name} has {tensor.numel()} values for shape {entry['shape']}")
        result[name] = tensor.reshape(entry["shape"])
    return result
