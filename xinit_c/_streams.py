"""Streams derived by SHA-256, without torch or jax: the command line and tests/reference need them too.

* Name-keyed streams (docs/stream.md section 13): a tensor named N under a
  base generator of stream s draws from stream S(N, s): the first 8 bytes,
  little-endian, of
  SHA-256(b"xinit-c/parameter-stream/1\\0" + s as 8 little-endian bytes + N in UTF-8).
* JAX keys (section 14): the words of a JAX PRNG key give a generator's key
  and stream through SHA-256(b"xinit-c/jax-key/1\\0" + the words, 4 bytes
  little-endian each).
"""
import hashlib
import operator
from collections.abc import Sequence
from typing import SupportsIndex

__all__ = ["parameter_stream", "jax_key_stream"]

#: The domain separator of the name-keyed streams.
STREAM_DOMAIN = b"xinit-c/parameter-stream/1\0"
#: The domain separator of the JAX key rule.
JAX_KEY_DOMAIN = b"xinit-c/jax-key/1\0"
#: How many uint32 words a JAX key holds: threefry2x32 2, rbg and unsafe_rbg 4.
JAX_KEY_WORDS = (2, 4)


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


def jax_key_stream(words: Sequence[SupportsIndex]) -> tuple[tuple[int, int], int]:
    """The generator key and stream of a JAX PRNG key, from its uint32 words (docs/stream.md, section 14).

    ``D = SHA-256(b"xinit-c/jax-key/1\\0" + w0 + w1 + ...)``, each word as 4
    little-endian bytes, in order; the key is ``(D[0:4], D[4:8])`` and the
    stream ``D[8:16]``, each read little-endian; the position is 0.

    Parameters
    ----------
    words : sequence of int
        The key's data: 2 words (threefry2x32) or 4 (rbg, unsafe_rbg), each in
        ``[0, 2**32)``; ``jax.random.key_data(key)`` of a typed key, or a legacy
        uint32 key array itself.

    Returns
    -------
    ((int, int), int)
        ``((k0, k1), stream)``: ``k0``, ``k1`` in ``[0, 2**32)``, ``stream`` in
        ``[0, 2**64)``.

    Raises
    ------
    TypeError
        ``words`` is not a sequence of integers.
    ValueError
        Not 2 or 4 words, or a word outside ``[0, 2**32)``.

    Examples
    --------
    >>> key, stream = jax_key_stream([0, 42])         # jax.random.key(42)'s data
    >>> key == jax_key_stream((0, 42))[0] and key != jax_key_stream([0, 43])[0]
    True
    """
    try:
        values = [operator.index(word) for word in words]
    except TypeError:
        raise TypeError(f"jax_key_stream: words must be a sequence of integers, got {words!r}") from None
    if len(values) not in JAX_KEY_WORDS:
        raise ValueError(f"jax_key_stream: a JAX key has 2 words (threefry2x32) or 4 (rbg, unsafe_rbg), "
                         f"got {len(values)}")
    for value in values:
        if not 0 <= value < 2**32:
            raise ValueError(f"jax_key_stream: each word must be in [0, 2**32), got {value}")
    digest = hashlib.sha256(JAX_KEY_DOMAIN + b"".join(v.to_bytes(4, "little") for v in values)).digest()
    key = (int.from_bytes(digest[0:4], "little"), int.from_bytes(digest[4:8], "little"))
    return key, int.from_bytes(digest[8:16], "little")
