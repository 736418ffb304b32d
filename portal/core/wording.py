"""Sentence pieces for page text."""


def join_names(names: list[str], last: str = "and") -> str:
    """ "A", "A and B", "A, B and C" (``last`` is the final conjunction)."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {last} {names[-1]}"
