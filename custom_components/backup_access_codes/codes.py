"""Door code generation and validation (pure Python, no Home Assistant imports)."""

from collections.abc import Collection
from enum import StrEnum
from itertools import pairwise
import secrets

MIN_CODE_LENGTH = 4
MAX_CODE_LENGTH = 8


class CodeProblem(StrEnum):
    """Why a code given by a host cannot be used (each is a translation key)."""

    NOT_DIGITS = "code_not_digits"
    WRONG_LENGTH = "code_wrong_length"
    WEAK = "code_weak"
    IN_USE = "code_in_use"


def is_weak(code: str) -> bool:
    """Return True for codes a passer-by would try first.

    All one digit (111111) and straight runs up or down, wrapping past 9 (123456, 654321,
    890123) are weak.
    """
    if len(set(code)) == 1:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(code)}
    return steps in ({1}, {9})


def code_problem(code: str, length: int, held: Collection[str]) -> CodeProblem | None:
    """Return what is wrong with a host-chosen code for a lock, or None if it is usable."""
    if not code.isascii() or not code.isdigit():
        return CodeProblem.NOT_DIGITS
    if len(code) != length:
        return CodeProblem.WRONG_LENGTH
    if is_weak(code):
        return CodeProblem.WEAK
    if code in held:
        return CodeProblem.IN_USE
    return None


def generate_code(length: int, held: Collection[str]) -> str:
    """Return a uniformly random code of ``length`` digits, not weak and not in ``held``.

    Drawn from ``secrets`` digit by digit; rejection keeps the distribution uniform over the
    allowed codes (10**length minus 20 weak ones minus those held).
    """
    if not MIN_CODE_LENGTH <= length <= MAX_CODE_LENGTH:
        raise ValueError(f"code length {length} is outside 4-8")
    while True:
        code = "".join(secrets.choice("0123456789") for _ in range(length))
        if not is_weak(code) and code not in held:
            return code
