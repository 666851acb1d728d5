"""Name-keyed streams (docs/stream.md, "Parameter streams"), without torch: the command line needs them too.

A tensor named N under a base generator of stream s draws from stream
S(N, s): the first 8 bytes, little-endian, of
SHA-256(b"xinit-c/parameter-stream/1\\0" + s as 8 little-endian bytes + N in UTF-8).
"""
import hashlib

__all__ = ["parameter_stream"]

#: The domain separator of the name-keyed streams.
STREAM_DOMAIN = b"xinit-c/parameter-stream/1\0"


def parameter_stream(name: str, stream: int = 0) -> int:
    """The stream id of the tensor named ``name`` under a base stream ``stream`` (docs/stream.md, section 13).

    ``S(N, s)``: the first 8 bytes, little-endian, of
    ``SHA-256(b"xinit-c/parameter-stream/1\\0" + s.to_bytes(8, "little") + N.encode("utf-8"))``.

    Parameters
    ----------
    name : str
        The tensor's qualified name in ``module.state_dict()``, e.g. ``"h.0.attn.c_attn.weight"``.
    stream : int, default 0
        The base generator's stream, in ``[0, 2**64)``.

    Returns
    -------
    int
        In ``[0, 2**64)``.

    Raises
    ------
    TypeError
        ``name`` is not a str or ``stream`` not an int.
    ValueError
        ``stream`` outside ``[0, 2**64)``, or a ``name`` UTF-8 cannot encode.

    Examples
    --------
    >>> parameter_stream("0.weight") == parameter_stream("0.weight", 0)
    True
    >>> parameter_stream("0.weight") != parameter_stream("0.bias")
    True
    """
    if not isinstance(name, str):
        raise TypeError(f"parameter_stream: name must be a str, got {type(name).__name__}")
    if isinstance(stream, bool) or not isinstance(stream, int):
        raise TypeError(f"parameter_stream: stream must be an int, got {type(stream).__name__}")
    if not 0 <= stream < 2**64:
        raise ValueError(f"parameter_stream: stream must be in [0, 2**64), got {stream}")
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"parameter_stream: name {name!r} is not encodable as UTF-8") from None
    digest = hashlib.sha256(STREAM_DOMAIN + stream.to_bytes(8, "little") + encoded).digest()
    return int.from_bytes(digest[:8], "little")
