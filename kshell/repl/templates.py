"""Command templates compiled for the completer, and matching typed words against them.

The templates themselves are data (`COMMAND_TEMPLATES` in kshell.syntax.vocabulary).
Here each is compiled once into a tuple of steps, optional words expanded
into variants, and `match_units` walks the words a user has typed after the
leading '.' through every template at once, returning where each surviving
template stands: the next step is what Tab should offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from kshell.syntax.vocabulary import COMMAND_TEMPLATES, ROLE_WORDS

# Unit kinds produced by kshell.repl.context.units()
WORD = "word"          # a NAME (value lower-cased in .low)
DOTTED = "dotted"      # Db.T (parts in .parts)
STRING = "string"      # a complete string literal
GROUP = "group"        # a balanced ( ... )
OP = "op"              # another operator token
OPEN_DOT = "open_dot"  # `Name.` at the end (a dotted name being typed)


@dataclass(frozen=True, slots=True)
class Step:
    """One template position: a literal keyword (words) or a slot (slot)."""

    words: tuple[str, ...] = ()
    slot: str = ""   # database, table, function, policy, role:<kind>, principals, name, schema, payload, rest, ...


@dataclass(frozen=True, slots=True)
class Template:
    text: str
    steps: tuple[Step, ...]


@dataclass(slots=True)
class Position:
    """A template that matched every typed unit so far, and what its slots captured."""

    template: Template
    index: int
    captured: dict

    @property
    def next_step(self) -> Step | None:
        steps = self.template.steps
        return steps[self.index] if self.index < len(steps) else None


def _compile(text: str) -> list[Template]:
    body = text[1:] if text.startswith(".") else text
    raw_words = body.split()
    # Placeholders may contain a space (`<role:external table>`): rejoin them.
    words: list[str] = []
    for w in raw_words:
        if words and words[-1].startswith("<") and not words[-1].endswith(">"):
            words[-1] += " " + w
        else:
            words.append(w)
    choices: list[list[Step | None]] = []
    for w in words:
        optional = w.startswith("[") and w.endswith("]")
        if optional:
            w = w[1:-1]
        if w.startswith("<") and w.endswith(">"):
            step = Step(slot=w[1:-1])
        else:
            step = Step(words=tuple(w.split("|")))
        choices.append([step, None] if optional else [step])
    return [Template(text, tuple(s for s in combo if s is not None)) for combo in product(*choices)]


@lru_cache(maxsize=1)
def templates() -> tuple[Template, ...]:
    out: list[Template] = []
    for text in COMMAND_TEMPLATES:
        out.extend(_compile(text))
    return tuple(out)


def role_words(slot: str) -> tuple[str, ...]:
    return ROLE_WORDS.get(slot.partition(":")[2], ())


def _unit_fits(step: Step, unit, captured: dict) -> bool:
    kind = unit.kind
    if step.words:
        return (kind == WORD and unit.low in step.words) or (kind == OP and unit.text in step.words)
    slot = step.slot
    if slot == "rest":
        return True
    if slot.startswith("role:"):
        return kind == WORD and unit.low in role_words(slot)
    if slot in ("principals", "schema"):
        return kind == GROUP
    if slot == "payload":
        return kind == STRING
    if slot == "policy":
        if kind == WORD:
            captured["policy"] = unit.low
            return True
        return False
    if slot == "table":
        if kind in (WORD, STRING):
            captured["table"] = [unit.value]
            return True
        if kind == DOTTED:
            captured["table"] = list(unit.parts)
            return True
        return False
    if kind in (WORD, STRING):
        captured[slot] = unit.value
        return True
    return False


def match_units(units: list) -> list[Position]:
    """Templates (with their position) that accept every unit in `units`."""
    out: list[Position] = []
    for t in templates():
        captured: dict = {}
        i = 0
        ok = True
        for unit in units:
            if i >= len(t.steps):
                ok = False
                break
            step = t.steps[i]
            if step.slot == "rest":
                break  # swallows everything after it
            if not _unit_fits(step, unit, captured):
                ok = False
                break
            i += 1
        if ok:
            out.append(Position(t, i, captured))
    return out
