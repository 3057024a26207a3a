"""The integration's strings as the frontend shows them, read from translations/en.json at run time.

The frontend parses every string as ICU MessageFormat (a literal `{` or `}` must be quoted with
apostrophes, or it shows "Translation error: MALFORMED_ARGUMENT") and renders descriptions as
Markdown. `Translations` renders a string the same way far enough to recognise it on screen:
placeholders filled in (or matched as "anything" when their value is not known), ICU quoting
undone, Markdown punctuation dropped, and whitespace ignored (the page's text comes in pieces).
"""

from dataclasses import dataclass
import json
from pathlib import Path
import re
from typing import Any

from .common import TRANSLATIONS, CheckError

# Text that must never reach a screen: the frontend's own error for a string it cannot parse,
# and keys it shows when a translation is missing.
TRANSLATION_KEY_CATEGORIES = (
    "abort|config|config_subentries|data|data_description|device_automation|entity|error"
    "|exceptions|issues|options|sections|selector|services|state|state_attributes|step|ui"
)
SCREEN_PROBLEMS = (
    (re.compile(r"Translation error[^\n]*"), "a translation error"),
    (re.compile(r"\[%key:[^\]\n]*\]?"), "an unresolved [%key:...] reference"),
    (re.compile(r"\bcomponent\.[a-z0-9_]+\.[a-z0-9_.]+"), "a raw translation key"),
    (
        re.compile(
            rf"\b(?:{TRANSLATION_KEY_CATEGORIES})\.[a-z0-9_]+\.[a-z0-9_]+(?:\.[a-z0-9_]+)*"
        ),
        "an untranslated key",
    ),
)


def squash(text: str) -> str:
    """Text without whitespace: the page's text nodes come with breaks of their own."""
    return re.sub(r"\s+", "", text)


def plain_markdown(text: str) -> str:
    """What Markdown leaves of a string on screen (enough for the strings we write)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links
    text = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", text, flags=re.MULTILINE)  # list items
    text = re.sub(r"^\s*#+\s*", "", text, flags=re.MULTILINE)  # headings
    return text.replace("`", "").replace("**", "").replace("__", "")


@dataclass(frozen=True)
class Placeholder:
    """`{name}` in a message (or a complex argument such as a plural: matched as anything)."""

    name: str


def icu_parts(message: str) -> list[str | Placeholder]:
    """Split an ICU message into literal text and placeholders, as intl-messageformat reads it.

    Apostrophes: `''` is one apostrophe; an apostrophe before `{` or `}` starts a quoted literal
    that runs to the next lone apostrophe; any other apostrophe is itself. An unbalanced brace is
    the error the frontend shows as MALFORMED_ARGUMENT: raise CheckError for it.
    """
    parts: list[str | Placeholder] = []
    literal: list[str] = []
    index = 0
    while index < len(message):
        char = message[index]
        if char == "'" and message[index + 1 : index + 2] == "'":
            literal.append("'")
            index += 2
        elif char == "'" and message[index + 1 : index + 2] in ("{", "}"):
            end = message.find("'", index + 1)
            end = len(message) if end < 0 else end
            literal.append(message[index + 1 : end])
            index = end + 1
        elif char == "{":
            depth, end = 1, index + 1
            while end < len(message) and depth:
                depth += {"{": 1, "}": -1}.get(message[end], 0)
                end += 1
            body = message[index + 1 : end - 1].strip()
            if depth or not re.fullmatch(r"[A-Za-z_][\w-]*(\s*,.*)?", body, re.DOTALL):
                raise CheckError(
                    f"malformed ICU message (the frontend cannot show it): {message!r}"
                )
            parts.extend(["".join(literal), Placeholder(body.split(",")[0].strip())])
            literal = []
            index = end
        elif char == "}":
            raise CheckError(f"unbalanced '}}' in ICU message: {message!r}")
        else:
            literal.append(char)
            index += 1
    parts.append("".join(literal))
    return [part for part in parts if part != ""]


class Translations:
    """translations/en.json, and what each string looks like on screen."""

    def __init__(self, data: dict[str, Any]) -> None:
        """Wrap the parsed file."""
        self.data = data

    @classmethod
    def load(cls, path: Path = TRANSLATIONS) -> Translations:
        """Read the file now (another helper may have just reworded it)."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def get(self, dotted: str) -> Any:
        """The value at a dotted path (`config.step.user.title`), or None."""
        node: Any = self.data
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node

    def require(self, dotted: str) -> str:
        """A string that must exist."""
        value = self.get(dotted)
        if not isinstance(value, str):
            raise CheckError(f"translations/en.json has no string at {dotted}")
        return value

    def pattern(
        self, message: str, placeholders: dict[str, Any] | None = None
    ) -> re.Pattern[str]:
        """A regex for the message on screen, whitespace removed (see `squash`)."""
        regex = []
        for part in icu_parts(message):
            if isinstance(part, Placeholder):
                value = (placeholders or {}).get(part.name)
                regex.append(
                    ".+?"
                    if value is None
                    else re.escape(squash(plain_markdown(str(value))))
                )
            else:
                regex.append(re.escape(squash(plain_markdown(part))))
        return re.compile("".join(regex))

    def shown(
        self, message: str, screen: str, placeholders: dict[str, Any] | None = None
    ) -> bool:
        """Tell whether the message stands on the screen's text."""
        return self.pattern(message, placeholders).search(squash(screen)) is not None

    def step_labels(self, flow: str, step_id: str) -> dict[str, str]:
        """Field key -> label of a flow step, section fields included."""
        step = self.get(f"{flow}.step.{step_id}") or {}
        labels = dict(step.get("data") or {})
        for section in (step.get("sections") or {}).values():
            labels.update(section.get("data") or {})
        return labels

    def section_names(self, flow: str, step_id: str) -> dict[str, str]:
        """Section key -> its shown name."""
        sections = self.get(f"{flow}.step.{step_id}.sections") or {}
        return {key: value.get("name", "") for key, value in sections.items()}

    def field_keys(self) -> set[str]:
        """Every field key of every flow step: shown instead of a label, it is a missing label."""
        keys: set[str] = set()
        for flow in ("config", "options"):
            for step_id in self.get(f"{flow}.step") or {}:
                keys |= set(self.step_labels(flow, step_id))
                keys |= set(self.section_names(flow, step_id))
        return keys

    def errors(self, flow: str) -> dict[str, str]:
        """Error key -> message of a flow (`config` or `options`)."""
        return dict(self.get(f"{flow}.error") or {})

    def entity_names(self) -> dict[tuple[str, str], str]:
        """(platform, translation key) -> entity name."""
        names = {}
        for platform, entities in (self.get("entity") or {}).items():
            for key, value in entities.items():
                if isinstance(value, dict) and isinstance(value.get("name"), str):
                    names[platform, key] = value["name"]
        return names


def screen_problems(text: str, labels: str, field_keys: set[str]) -> list[str]:
    """What on a screen shows a broken or missing translation.

    `text` is all visible text; `labels` the same without Markdown (descriptions quote variable
    names such as `lock_entity_id` on purpose), one piece per line: a line that is exactly a
    field key is a label the frontend could not find.
    """
    found = []
    for regex, what in SCREEN_PROBLEMS:
        found += [f"{what}: {match.group()!r}" for match in regex.finditer(text)]
    for line in labels.splitlines():
        if line.strip().rstrip("*").strip() in field_keys:
            found.append(f"a field key shown instead of its label: {line.strip()!r}")
    return found
